import {Flags} from '@oclif/core'

/** Flags shared by the backup commands. Booleans always have `default: false` (stack.md §3.5). */
export const hostFlag = (required: boolean) =>
  Flags.string({
    description: 'Host id, e.g. claude-desktop, cursor, vscode (see `hatch mcp hosts`).',
    helpValue: 'HOST',
    required,
  })

export const configFlag = Flags.string({
  description: "Path of the host's config file, instead of the one hatch finds for the host.",
  helpValue: 'PATH',
})

export const yesFlag = Flags.boolean({char: 'y', default: false, description: 'Confirm without asking (needed when there is no terminal).'})

export const dryRunFlag = Flags.boolean({default: false, description: 'Show what would change, and change nothing.'})

export const storeFlag = Flags.string({
  description: 'The store of tokens, limits and usage: an SQLite file (default ~/.hatch/hatch.db) or a postgres:// URL; default $HATCH_STORE.',
  helpValue: 'PATH|URL',
})

/** Claude Code's scopes (docs/servers.md): user (~/.claude.json), local (a project's entry in it), project (.mcp.json). */
export const scopeFlag = Flags.string({
  description: 'Claude Code only: user (~/.claude.json), local (this project\'s servers in ~/.claude.json) or project (the project\'s .mcp.json).',
  options: ['user', 'local', 'project'],
  helpValue: 'SCOPE',
})

export const projectFlag = Flags.string({
  description: 'Claude Code only: the project folder for the local and project scopes (default: the current folder; alone it means --scope local).',
  helpValue: 'PATH',
})
