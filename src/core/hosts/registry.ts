import {HatchError} from '../errors.js'
import {closest} from '../text/closest.js'
import type {HostEntry, PathTemplates} from './schemas.js'

/**
 * The MCP hosts hatch knows, as data. Review a change here like a change to a config file: one entry per host,
 * every path variant the sources disagree on listed side by side (docs/hosts.md explains the table).
 *
 * Path templates always use `/` and start with one placeholder; resolve.ts turns them into real paths:
 * - `{home}`            os.homedir()
 * - `{xdgConfig}`       $XDG_CONFIG_HOME (when absolute) *and* ~/.config; both are probed
 * - `{appData}`         %APPDATA%, default ~/AppData/Roaming
 * - `{localAppData}`    %LOCALAPPDATA%, default ~/AppData/Local
 * - `{claudeConfigDir}` $CLAUDE_CONFIG_DIR, default ~ (it replaces ~, it is not probed beside it)
 * - `{codexHome}`       $CODEX_HOME, default ~/.codex (it replaces ~/.codex)
 * A segment may contain `*`, matched against the names in its parent directory (e.g. the MSIX `Claude_*`).
 */
export const PLACEHOLDERS = ['home', 'xdgConfig', 'appData', 'localAppData', 'claudeConfigDir', 'codexHome'] as const
export type Placeholder = (typeof PLACEHOLDERS)[number]

export const HOST_PLATFORMS = ['darwin', 'linux', 'win32'] as const
export type HostPlatform = (typeof HOST_PLATFORMS)[number]

// The entries' shape, as zod schemas, is in schemas.ts (the registry test checks every entry against it); loading
// zod is left to the code that validates, so every command that only looks a host up starts faster.
export type {HostEntry, PathTemplates} from './schemas.js'

const CLAUDE_MSIX = '{localAppData}/Packages/Claude_pzs8sxrjxfjjc/LocalCache/Roaming/Claude'
const CLAUDE_MSIX_GLOB = '{localAppData}/Packages/Claude_*/LocalCache/Roaming/Claude'

export const HOSTS: readonly HostEntry[] = [
  {
    id: 'claude-desktop',
    displayName: 'Claude Desktop',
    format: 'json',
    serversPath: ['mcpServers'],
    sharedState: false,
    configPaths: {
      darwin: ['{home}/Library/Application Support/Claude/claude_desktop_config.json'],
      // Unofficial Linux builds; docker/mcp-gateway uses lowercase `claude`.
      linux: ['{xdgConfig}/Claude/claude_desktop_config.json', '{xdgConfig}/claude/claude_desktop_config.json'],
      // MSIX (since Feb 2026) first: fixed publisher id, then any Claude_* package; then the classic installer.
      win32: [
        `${CLAUDE_MSIX}/claude_desktop_config.json`,
        `${CLAUDE_MSIX_GLOB}/claude_desktop_config.json`,
        '{appData}/Claude/claude_desktop_config.json',
      ],
    },
    appDirs: {
      darwin: ['{home}/Library/Application Support/Claude'],
      linux: ['{xdgConfig}/Claude', '{xdgConfig}/claude'],
      win32: ['{localAppData}/Packages/Claude_pzs8sxrjxfjjc', '{localAppData}/Packages/Claude_*', '{appData}/Claude'],
    },
  },
  {
    id: 'claude-code',
    displayName: 'Claude Code',
    format: 'json',
    serversPath: ['mcpServers'],
    sharedState: true,
    configPaths: ['{claudeConfigDir}/.claude.json'],
    appDirs: ['{home}/.claude'],
  },
  {
    id: 'vscode',
    displayName: 'VS Code',
    format: 'jsonc',
    serversPath: ['servers'],
    sharedState: false,
    configPaths: {
      darwin: [
        '{home}/Library/Application Support/Code/User/mcp.json',
        '{home}/Library/Application Support/Code - Insiders/User/mcp.json',
      ],
      linux: [
        '{xdgConfig}/Code/User/mcp.json',
        '{xdgConfig}/Code - Insiders/User/mcp.json',
        '{home}/.vscode-server/data/User/mcp.json',
      ],
      win32: ['{appData}/Code/User/mcp.json', '{appData}/Code - Insiders/User/mcp.json'],
    },
    appDirs: {
      darwin: ['{home}/Library/Application Support/Code', '{home}/Library/Application Support/Code - Insiders'],
      linux: ['{xdgConfig}/Code', '{xdgConfig}/Code - Insiders', '{home}/.vscode-server'],
      win32: ['{appData}/Code', '{appData}/Code - Insiders'],
    },
  },
  {
    id: 'cursor',
    displayName: 'Cursor',
    format: 'json',
    serversPath: ['mcpServers'],
    sharedState: false,
    configPaths: ['{home}/.cursor/mcp.json'],
    appDirs: ['{home}/.cursor'],
  },
  {
    id: 'lmstudio',
    displayName: 'LM Studio',
    format: 'json',
    serversPath: ['mcpServers'],
    sharedState: false,
    // Vendor docs say ~/.lmstudio; ~/.cache/lm-studio is observed on macOS (lmstudio-bug-tracker#1371).
    configPaths: {
      darwin: ['{home}/.lmstudio/mcp.json', '{home}/.cache/lm-studio/mcp.json'],
      linux: ['{home}/.lmstudio/mcp.json', '{home}/.cache/lm-studio/mcp.json'],
      win32: ['{home}/.lmstudio/mcp.json'],
    },
    appDirs: {
      darwin: ['{home}/.lmstudio', '{home}/.cache/lm-studio'],
      linux: ['{home}/.lmstudio', '{home}/.cache/lm-studio'],
      win32: ['{home}/.lmstudio'],
    },
  },
  {
    id: 'gemini',
    displayName: 'Gemini CLI',
    format: 'jsonc', // may contain comments (gemini-cli#8077)
    serversPath: ['mcpServers'],
    sharedState: true,
    configPaths: ['{home}/.gemini/settings.json'],
    appDirs: ['{home}/.gemini'],
  },
  {
    id: 'kiro',
    displayName: 'Kiro',
    format: 'json',
    serversPath: ['mcpServers'],
    sharedState: false,
    configPaths: ['{home}/.kiro/settings/mcp.json'],
    appDirs: ['{home}/.kiro'],
  },
  {
    id: 'codex',
    displayName: 'Codex',
    format: 'toml',
    serversPath: ['mcp_servers'],
    sharedState: true,
    configPaths: ['{codexHome}/config.toml'],
    appDirs: ['{codexHome}'],
  },
  {
    id: 'windsurf',
    displayName: 'Windsurf',
    format: 'json',
    serversPath: ['mcpServers'],
    sharedState: false,
    configPaths: ['{home}/.codeium/windsurf/mcp_config.json'],
    appDirs: ['{home}/.codeium/windsurf'],
  },
  {
    id: 'zed',
    displayName: 'Zed',
    format: 'jsonc',
    serversPath: ['context_servers'],
    sharedState: true,
    // macOS: zed.dev docs vs add-mcp. Windows: most peers vs docker/mcp-gateway.
    configPaths: {
      darwin: ['{home}/.config/zed/settings.json', '{home}/Library/Application Support/Zed/settings.json'],
      linux: ['{xdgConfig}/zed/settings.json'],
      win32: ['{appData}/Zed/settings.json', '{home}/.config/zed/settings.json'],
    },
    appDirs: {
      darwin: ['{home}/.config/zed', '{home}/Library/Application Support/Zed'],
      linux: ['{xdgConfig}/zed'],
      win32: ['{appData}/Zed', '{home}/.config/zed'],
    },
  },
  {
    id: 'opencode',
    displayName: 'OpenCode',
    format: 'jsonc',
    serversPath: ['mcp'],
    sharedState: true,
    configPaths: {
      darwin: ['{home}/.config/opencode/opencode.json'],
      linux: ['{xdgConfig}/opencode/opencode.json'],
      win32: ['{appData}/opencode/opencode.json'], // Hatch-py only
    },
    appDirs: {
      darwin: ['{home}/.config/opencode'],
      linux: ['{xdgConfig}/opencode'],
      win32: ['{appData}/opencode'],
    },
  },
  {
    id: 'augment',
    displayName: 'Augment',
    format: 'json',
    serversPath: ['mcpServers'],
    sharedState: true,
    // No Windows location is known (Hatch-py marks it unsupported there).
    configPaths: {darwin: ['{home}/.augment/settings.json'], linux: ['{home}/.augment/settings.json'], win32: []},
    appDirs: {darwin: ['{home}/.augment'], linux: ['{home}/.augment'], win32: []},
  },
]

/** Every host id, in table order. */
export function hostIds(): string[] {
  return HOSTS.map((h) => h.id)
}

/** The templates that apply on one platform. */
export function templatesFor(templates: PathTemplates, platform: HostPlatform): readonly string[] {
  return Array.isArray(templates) ? templates : templates[platform]
}

/** The host with this id. @throws HatchError UNKNOWN_HOST (exit 2), naming every valid id and the nearest one. */
export function getHost(id: string): HostEntry {
  const host = HOSTS.find((h) => h.id === id)
  if (host) return host
  // A typo of one id, else the ids it starts (`claude` → claude-desktop, claude-code).
  const typo = closest(id, hostIds())
  const near = typo === undefined ? hostIds().filter((h) => id.length >= 2 && h.startsWith(id)) : [typo]
  const guess = near.length > 0 ? `Did you mean ${near.join(' or ')}? ` : ''
  throw new HatchError('UNKNOWN_HOST', `Unknown host "${id}". ${guess}Valid hosts: ${hostIds().join(', ')}.`, {
    suggestions: [...near.map((h) => `--host ${h}`), 'Run `hatch mcp hosts` to see every host and where its config file is.'],
  })
}
