/**
 * Payment card checks. A run of 13–19 digits is a card only when it starts with a known issuer prefix (IIN) for its
 * length *and* passes Luhn: Luhn alone is passed by one number in ten, e.g. a 14-digit backup-id-like timestamp.
 */

/** Issuer prefixes and the lengths that network issues. */
const NETWORKS: ReadonlyArray<{prefix: RegExp; lengths: readonly number[]}> = [
  {prefix: /^4/, lengths: [13, 16, 19]}, // Visa
  {prefix: /^(?:5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/, lengths: [16]}, // Mastercard
  {prefix: /^3[47]/, lengths: [15]}, // American Express
  {prefix: /^3(?:0[0-5]|[689])/, lengths: [14, 15, 16, 17, 18, 19]}, // Diners Club
  {prefix: /^6(?:011|5|4[4-9])/, lengths: [16, 17, 18, 19]}, // Discover
  {prefix: /^35(?:2[89]|[3-8]\d)/, lengths: [16, 17, 18, 19]}, // JCB
  {prefix: /^62/, lengths: [16, 17, 18, 19]}, // UnionPay
  {prefix: /^(?:5[06-8]|6[37])/, lengths: [13, 14, 15, 16, 17, 18, 19]}, // Maestro
  {prefix: /^220[0-4]/, lengths: [16, 17, 18, 19]}, // Mir
]

/** True when the digit string passes the Luhn check. */
export function luhnValid(digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (d < 0 || d > 9) return false
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return digits.length > 0 && sum % 10 === 0
}

/** True when the digit string has a known issuer prefix for its length. */
export function hasCardIin(digits: string): boolean {
  return NETWORKS.some((network) => network.lengths.includes(digits.length) && network.prefix.test(digits))
}

/** True when the digit string (no separators) looks like a real card number. */
export function isCardNumber(digits: string): boolean {
  return hasCardIin(digits) && luhnValid(digits)
}

/**
 * Finds the card number at the start of a digit run written with optional single spaces or dashes.
 * Grouped numbers need groups of 3–6 digits (4-4-4-4, 4-6-5), so a UUID's 8-digit group never counts; trailing
 * groups that are not part of the card (an expiry year) are dropped.
 *
 * @returns the length of the card's text within `run`, or 0 when `run` holds no card.
 */
export function cardPrefixLength(run: string): number {
  const groups = run.split(/[ -]/)
  if (groups.length === 1) return isCardNumber(run) ? run.length : 0
  const last = groups.length - 1
  if (groups.some((group, i) => group.length > 6 || (i < last && group.length < 3))) return 0
  for (let count = groups.length; count >= 2; count--) {
    const digits = groups.slice(0, count).join('')
    if (digits.length < 13) break
    if (isCardNumber(digits)) return groups.slice(0, count).join(' ').length
  }
  return 0
}
