import {homedir} from 'node:os'
import {join, resolve} from 'node:path'

/** hatch's own folder: `$HATCH_HOME`, else `~/.hatch`. */
export function hatchHome(env: Record<string, string | undefined> = process.env, home: string = homedir()): string {
  return env.HATCH_HOME ? resolve(env.HATCH_HOME) : join(home, '.hatch')
}

/** Whether hatch's folder was named explicitly (HATCH_HOME), so a symbolic link there is the user's own choice. */
export function hatchHomeIsExplicit(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env.HATCH_HOME)
}
