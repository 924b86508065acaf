/**
 * Shared fixtures for the server-editing tests (not a test file itself): one realistic config per host, with
 * comments, odd formatting and other settings where the format allows them, and a temp dir to edit them in.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {AtomicFileOperations} from '../../../src/core/backup/atomic-file-operations.js'
import {BackupStore} from '../../../src/core/backup/store.js'
import {getHost} from '../../../src/core/hosts/registry.js'
import type {ServersTarget} from '../../../src/core/servers/targets.js'

export const ORIGINALS: Record<string, string> = {
  'claude-desktop': '{\n  "mcpServers": {\n    "fs": {\n      "command": "npx",\n      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]\n    }\n  },\n  "globalShortcut": "Ctrl+Space"\n}\n',
  'claude-code':
    '{\n  "numStartups": 12,\n  "mcpServers": {\n    "git": {"type": "stdio", "command": "uvx", "args": ["mcp-server-git"], "env": {}}\n  },\n  "projects": {\n    "/work/app": {\n      "allowedTools": [],\n      "mcpServers": {},\n      "enabledMcpjsonServers": []\n    }\n  }\n}\n',
  vscode:
    '{\n  // my servers\n  "servers": {\n    "github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"}, // remote\n    /* local */ "files": {"type": "stdio", "command": "npx", "args": ["-y", "fs"],},\n  },\n  "inputs": [{"type": "promptString", "id": "token", "password": true}],\n}\n',
  cursor: '{"mcpServers": {"a": {"command": "x", "env": {"API_URL": "${env:API_URL}"}}}}',
  lmstudio: '{\r\n\t"mcpServers": {\r\n\t\t"a": {\r\n\t\t\t"command": "x"\r\n\t\t}\r\n\t}\r\n}\r\n',
  gemini: '// Gemini CLI settings\n{\n  "theme": "Default",\n  "mcpServers": {\n    "ctx": {"httpUrl": "https://mcp.example.com/mcp", "headers": {"X-Key": "$CTX_KEY"}, "trust": false}\n  }\n}\n',
  kiro: '{\n    "mcpServers": {\n        "fetch": {\n            "command": "uvx",\n            "args": ["mcp-server-fetch"],\n            "disabled": false,\n            "autoApprove": []\n        }\n    }\n}\n',
  codex:
    '# Codex config\nmodel = "o3"\n\n[features]\nweb = true # comment\n\n# my file server\n[mcp_servers.files]\ncommand = "npx"\nargs = ["-y", "fs"]\n\n[mcp_servers.files.env]\nROOT = "/srv"\n',
  windsurf: '{\n  "mcpServers": {\n    "remote": {"serverUrl": "https://mcp.example.com/sse"}\n  }\n}\n',
  zed: '// Zed settings\n{\n  "theme": "One Dark", // dark\n  "context_servers": {\n    "other": {"command": "x", "args": [], "env": {}}\n  },\n  "vim_mode": true\n}\n',
  opencode: '{\n  "$schema": "https://opencode.ai/config.json",\n  "mcp": {\n    "local": {"type": "local", "command": ["npx", "-y", "x"], "enabled": true}\n  }\n}\n',
  augment: '{\n  "mcpServers": {},\n  "theme": "dark"\n}\n',
}

/**
 * One config per JSON/JSONC host without its servers key (Codex: its TOML tables need no container), so an add must
 * create it and the remove of that server must take it away again: `{}`, one line, CRLF and tabs, comments, trailing
 * commas, a byte-order mark.
 */
export const WITHOUT_SERVERS: Record<string, string> = {
  'claude-desktop': '{\n  "globalShortcut": "Ctrl+Space"\n}\n',
  'claude-code': '{\n  "numStartups": 12,\n  "projects": {\n    "/work/app": {\n      "allowedTools": [],\n      "hasTrustDialogAccepted": true\n    }\n  }\n}\n',
  vscode: '{\n  // inputs first, servers later\n  "inputs": [{"type": "promptString", "id": "token", "password": true}],\n}\n',
  cursor: '{\n  "theme": 1\n}\n',
  lmstudio: '{\r\n\t"autoStart": false\r\n}\r\n',
  gemini: '// Gemini CLI settings\n{\n  "theme": "Default", // dark\n  "selectedAuthType": "oauth-personal"\n}\n',
  kiro: '{}\n',
  windsurf: '{"theme": "dark"}',
  zed: '// Zed settings\n{\n  "theme": "One Dark", // dark\n  "vim_mode": true,\n}\n',
  opencode: '{\n  "$schema": "https://opencode.ai/config.json",\n  "theme": "x"\n}\n',
  augment: '\uFEFF{\n    "theme": "dark"\n}\n',
}

/** Where each host's fixture is written inside the temp dir (the file name matters only for TOML vs JSON). */
export function fixturePath(root: string, hostId: string, folder = hostId): string {
  return join(root, folder, hostId === 'codex' ? 'config.toml' : 'config.json')
}

export interface Workspace {
  root: string
  ops: AtomicFileOperations
  store: BackupStore
  /** Writes a host's fixture (or `text`) in folder `folder` (default: the host id) and returns its user-scope target. */
  put(hostId: string, text?: string, folder?: string): ServersTarget
  cleanup(): void
}

export function workspace(): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'hatch-servers-'))
  const store = new BackupStore({root: join(root, '.hatch', 'mcp_host_config_backups'), hatchVersion: 'test'})
  return {
    root,
    store,
    ops: new AtomicFileOperations(store),
    put(hostId, text = ORIGINALS[hostId]!, folder = hostId) {
      const path = fixturePath(root, hostId, folder)
      mkdirSync(dirname(path), {recursive: true})
      writeFileSync(path, text)
      const host = getHost(hostId)
      return {host, path, serversPath: host.serversPath, scope: 'user', project: null}
    },
    cleanup: () => rmSync(root, {recursive: true, force: true}),
  }
}
