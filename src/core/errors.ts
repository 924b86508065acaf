/**
 * hatch's one error family. Every failure a user can act on is a HatchError with a stable `code`, the process
 * exit code that code maps to, a message that says what went wrong, and suggestions that say what to do next.
 * Anything else that escapes is a bug and exits 1.
 *
 * Exit codes are part of the public interface (docs/cli.md); scripts branch on them.
 */

export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  INTEGRITY: 4,
  CONFLICT: 5,
  CONFIRMATION: 6,
  INVALID_CONFIG: 7,
  IO: 8,
  AMBIGUOUS: 9,
  BAD_KEY: 10,
  DAMAGED: 11,
  COMMAND_NOT_FOUND: 127,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** Every error code hatch emits, and the exit code it maps to. */
export const ERROR_CODES = {
  INVALID_ARGUMENT: EXIT.USAGE,
  /** A host id that is not in the registry: a usage error, like any other mistyped argument. */
  UNKNOWN_HOST: EXIT.USAGE,
  /** Words that name no hatch command or topic. */
  UNKNOWN_COMMAND: EXIT.USAGE,
  CONFIG_NOT_FOUND: EXIT.NOT_FOUND,
  BACKUP_NOT_FOUND: EXIT.NOT_FOUND,
  SERVER_NOT_FOUND: EXIT.NOT_FOUND,
  CHECKSUM_MISMATCH: EXIT.INTEGRITY,
  CONFLICT: EXIT.CONFLICT,
  LOCKED: EXIT.CONFLICT,
  SERVER_EXISTS: EXIT.CONFLICT,
  CONFIRMATION_REQUIRED: EXIT.CONFIRMATION,
  CONFIRMATION_DECLINED: EXIT.CONFIRMATION,
  INVALID_CONFIG: EXIT.INVALID_CONFIG,
  PERMISSION_DENIED: EXIT.IO,
  IO_ERROR: EXIT.IO,
  AMBIGUOUS_CONFIG: EXIT.AMBIGUOUS,
  WRONG_KEY: EXIT.BAD_KEY,
  INTERNAL: EXIT.INTERNAL,
  UNSAFE_ARCHIVE_ENTRY: EXIT.INTEGRITY,
  TOKEN_NOT_FOUND: EXIT.NOT_FOUND,
  LIMIT_NOT_FOUND: EXIT.NOT_FOUND,
  /** A tool call over its daily or monthly limit (a tool error over MCP; not a CLI exit in practice). */
  QUOTA_EXCEEDED: EXIT.CONFLICT,
  /** The token/quota store is damaged, is not hatch's, or was written by a newer hatch. */
  STORE_INVALID: EXIT.INVALID_CONFIG,
  /** The store cannot be reached (PostgreSQL down, SQLite busy past its timeout). */
  STORE_UNAVAILABLE: EXIT.IO,
  CONFIG_DAMAGED: EXIT.DAMAGED,
  COMMAND_NOT_FOUND: EXIT.COMMAND_NOT_FOUND,
} as const satisfies Record<string, ExitCode>

export type ErrorCode = keyof typeof ERROR_CODES

export interface HatchErrorOptions {
  /** What the user can do about it, one step per entry. */
  suggestions?: string[]
  cause?: unknown
}

// Marks a HatchError across copies of this module: each bundled entry (a command, a hook, the runner) has its own
// copy of the class, so an error thrown by a hook and reported by the runner would fail `instanceof`.
const BRAND = Symbol.for('hatch.HatchError')

export class HatchError extends Error {
  readonly code: ErrorCode
  readonly exitCode: ExitCode
  readonly suggestions: string[]

  constructor(code: ErrorCode, message: string, options: HatchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    Object.defineProperty(this, BRAND, {value: true})
    this.name = 'HatchError'
    this.code = code
    this.exitCode = ERROR_CODES[code]
    this.suggestions = options.suggestions ?? []
  }

  /** The stable JSON shape printed under `--json` (and returned by MCP tools). */
  toJSON(): {code: ErrorCode; exitCode: ExitCode; message: string; suggestions: string[]} {
    return {code: this.code, exitCode: this.exitCode, message: this.message, suggestions: this.suggestions}
  }
}

export function isHatchError(err: unknown): err is HatchError {
  return err instanceof HatchError || (typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true)
}

/** The errno-style code of a Node.js system error, if it has one. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof (err as {code: unknown}).code === 'string') {
    return (err as {code: string}).code
  }
  return undefined
}

/**
 * Turns a Node.js file-system error into a HatchError that names the file and the action.
 * `what` reads like "read the config file" and is used in the sentence "Could not <what> <path>".
 */
export function fsError(err: unknown, what: string, path: string): HatchError {
  if (isHatchError(err)) return err
  const code = errnoCode(err)
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR': {
      return new HatchError('CONFIG_NOT_FOUND', `Could not ${what} ${path}: it does not exist.`, {
        cause: err,
        suggestions: ['Check the path, or name the file with --config PATH.'],
      })
    }
    case 'EACCES':
    case 'EPERM': {
      return new HatchError('PERMISSION_DENIED', `Could not ${what} ${path}: permission denied.`, {
        cause: err,
        suggestions: ['Check the file and directory permissions, or run hatch as the user who owns the file.'],
      })
    }
    case 'EISDIR': {
      return new HatchError('INVALID_ARGUMENT', `Could not ${what} ${path}: it is a directory, not a file.`, {
        cause: err,
        suggestions: ['Name the config file itself, not its folder.'],
      })
    }
    case 'ENOSPC':
    case 'EDQUOT': {
      return new HatchError('IO_ERROR', `Could not ${what} ${path}: the disk is full.`, {
        cause: err,
        suggestions: ['Free some space (for example with `hatch mcp backup clean`) and try again.'],
      })
    }
    case 'EROFS': {
      return new HatchError('IO_ERROR', `Could not ${what} ${path}: the file system is read-only.`, {cause: err})
    }
    default: {
      const detail = err instanceof Error ? err.message : String(err)
      return new HatchError('IO_ERROR', `Could not ${what} ${path}: ${detail}`, {cause: err})
    }
  }
}
