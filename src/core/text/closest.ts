import {distance} from 'fastest-levenshtein'

/**
 * The candidate nearest to what the user typed, for a "did you mean": the one with the fewest single-character
 * edits, if it is close enough to be a typo (at most 2 edits, or a third of the input's length for longer words).
 * Undefined when nothing is that close: a suggestion that is far off only misleads.
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(input.length / 3))
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const d = distance(input, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return bestDistance <= limit ? best : undefined
}
