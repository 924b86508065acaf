import {execFileSync} from 'node:child_process'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {Volume} from 'memfs'
import {afterEach, describe, expect, it} from 'vitest'

import {HatchError} from '../../../src/core/errors.js'
import {hostIds} from '../../../src/core/hosts/registry.js'
import {
  type HostEnvironment,
  type HostFs,
  nodeHostFs,
  resolveConfigPath,
  resolveHost,
  resolveHosts,
} from '../../../src/core/hosts/resolve.js'
import {ResolvedHost} from '../../../src/core/hosts/schemas.js'

type Platform = 'darwin' | 'linux' | 'win32'

/** A fake file system of absolute paths in the platform's flavour. `links` maps an alias to the file it points at. */
function fakeFs(platform: Platform, spec: {files?: string[]; dirs?: string[]; links?: Record<string, string>; denied?: string[]}): HostFs {
  const P = platform === 'win32' ? path.win32 : path.posix
  const files = new Map<string, number>()
  const dirs = new Set<string>()
  const addParents = (p: string) => {
    for (let d = P.dirname(p); !dirs.has(d); d = P.dirname(d)) {
      dirs.add(d)
      if (P.dirname(d) === d) break
    }
  }
  for (const f of spec.files ?? []) {
    files.set(f, files.size + 1)
    addParents(f)
  }
  for (const [alias, target] of Object.entries(spec.links ?? {})) {
    files.set(alias, files.get(target)!)
    addParents(alias)
  }
  for (const d of spec.dirs ?? []) {
    dirs.add(d)
    addParents(d)
  }
  const enoent = (p: string) => Object.assign(new Error(`ENOENT: ${p}`), {code: 'ENOENT'})
  return {
    async stat(p) {
      if (spec.denied?.includes(p)) throw Object.assign(new Error('EACCES'), {code: 'EACCES'})
      const ino = files.get(p)
      if (ino !== undefined) return {isFile: () => true, isDirectory: () => false, dev: 1, ino}
      if (dirs.has(p)) return {isFile: () => false, isDirectory: () => true, dev: 1, ino: 1000}
      throw enoent(p)
    },
    async readdir(p) {
      if (!dirs.has(p)) throw enoent(p)
      return [...files.keys(), ...dirs].filter((x) => x !== p && P.dirname(x) === p).map((x) => P.basename(x))
    },
  }
}

const HOME = {darwin: '/Users/me', linux: '/home/me', win32: 'C:\\Users\\me'} as const
const env = (platform: Platform, vars: Record<string, string> = {}, cwd?: string): HostEnvironment => ({platform, home: HOME[platform], env: vars, cwd})
const EMPTY = {darwin: fakeFs('darwin', {}), linux: fakeFs('linux', {}), win32: fakeFs('win32', {})}

const MAC_SUPPORT = '/Users/me/Library/Application Support'
const APPDATA = 'C:\\Users\\me\\AppData\\Roaming'
const MSIX_FIXED = 'C:\\Users\\me\\AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude'

/** Candidate config files per host with no environment overrides. */
const DEFAULTS: Record<Platform, Record<string, string[]>> = {
  darwin: {
    'claude-desktop': [`${MAC_SUPPORT}/Claude/claude_desktop_config.json`],
    'claude-code': ['/Users/me/.claude.json'],
    vscode: [`${MAC_SUPPORT}/Code/User/mcp.json`, `${MAC_SUPPORT}/Code - Insiders/User/mcp.json`],
    cursor: ['/Users/me/.cursor/mcp.json'],
    lmstudio: ['/Users/me/.lmstudio/mcp.json', '/Users/me/.cache/lm-studio/mcp.json'],
    gemini: ['/Users/me/.gemini/settings.json'],
    kiro: ['/Users/me/.kiro/settings/mcp.json'],
    codex: ['/Users/me/.codex/config.toml'],
    windsurf: ['/Users/me/.codeium/windsurf/mcp_config.json'],
    zed: ['/Users/me/.config/zed/settings.json', `${MAC_SUPPORT}/Zed/settings.json`],
    opencode: ['/Users/me/.config/opencode/opencode.json'],
    augment: ['/Users/me/.augment/settings.json'],
  },
  linux: {
    'claude-desktop': ['/home/me/.config/Claude/claude_desktop_config.json', '/home/me/.config/claude/claude_desktop_config.json'],
    'claude-code': ['/home/me/.claude.json'],
    vscode: ['/home/me/.config/Code/User/mcp.json', '/home/me/.config/Code - Insiders/User/mcp.json', '/home/me/.vscode-server/data/User/mcp.json'],
    cursor: ['/home/me/.cursor/mcp.json'],
    lmstudio: ['/home/me/.lmstudio/mcp.json', '/home/me/.cache/lm-studio/mcp.json'],
    gemini: ['/home/me/.gemini/settings.json'],
    kiro: ['/home/me/.kiro/settings/mcp.json'],
    codex: ['/home/me/.codex/config.toml'],
    windsurf: ['/home/me/.codeium/windsurf/mcp_config.json'],
    zed: ['/home/me/.config/zed/settings.json'],
    opencode: ['/home/me/.config/opencode/opencode.json'],
    augment: ['/home/me/.augment/settings.json'],
  },
  win32: {
    'claude-desktop': [`${MSIX_FIXED}\\claude_desktop_config.json`, `${APPDATA}\\Claude\\claude_desktop_config.json`],
    'claude-code': ['C:\\Users\\me\\.claude.json'],
    vscode: [`${APPDATA}\\Code\\User\\mcp.json`, `${APPDATA}\\Code - Insiders\\User\\mcp.json`],
    cursor: ['C:\\Users\\me\\.cursor\\mcp.json'],
    lmstudio: ['C:\\Users\\me\\.lmstudio\\mcp.json'],
    gemini: ['C:\\Users\\me\\.gemini\\settings.json'],
    kiro: ['C:\\Users\\me\\.kiro\\settings\\mcp.json'],
    codex: ['C:\\Users\\me\\.codex\\config.toml'],
    windsurf: ['C:\\Users\\me\\.codeium\\windsurf\\mcp_config.json'],
    zed: [`${APPDATA}\\Zed\\settings.json`, 'C:\\Users\\me\\.config\\zed\\settings.json'],
    opencode: [`${APPDATA}\\opencode\\opencode.json`],
    augment: [],
  },
}

/** Each override on each platform, and the hosts whose candidates it changes (all others must stay as DEFAULTS). */
type Override = {platform: Platform; vars: Record<string, string>; changed: Record<string, string[]>}
const OVERRIDES: Override[] = [
  ...(['darwin', 'win32'] as const).map((platform): Override => ({platform, vars: {XDG_CONFIG_HOME: platform === 'win32' ? 'D:\\xdg' : '/xdg'}, changed: {}})),
  {
    platform: 'linux',
    vars: {XDG_CONFIG_HOME: '/xdg'},
    changed: {
      'claude-desktop': [
        '/xdg/Claude/claude_desktop_config.json',
        '/home/me/.config/Claude/claude_desktop_config.json',
        '/xdg/claude/claude_desktop_config.json',
        '/home/me/.config/claude/claude_desktop_config.json',
      ],
      vscode: [
        '/xdg/Code/User/mcp.json',
        '/home/me/.config/Code/User/mcp.json',
        '/xdg/Code - Insiders/User/mcp.json',
        '/home/me/.config/Code - Insiders/User/mcp.json',
        '/home/me/.vscode-server/data/User/mcp.json',
      ],
      zed: ['/xdg/zed/settings.json', '/home/me/.config/zed/settings.json'],
      opencode: ['/xdg/opencode/opencode.json', '/home/me/.config/opencode/opencode.json'],
    },
  },
  ...(['darwin', 'linux'] as const).map((platform): Override => ({platform, vars: {APPDATA: '/roaming', LOCALAPPDATA: '/local'}, changed: {}})),
  {
    platform: 'win32',
    vars: {APPDATA: 'D:\\Roaming'},
    changed: {
      'claude-desktop': [`${MSIX_FIXED}\\claude_desktop_config.json`, 'D:\\Roaming\\Claude\\claude_desktop_config.json'],
      vscode: ['D:\\Roaming\\Code\\User\\mcp.json', 'D:\\Roaming\\Code - Insiders\\User\\mcp.json'],
      zed: ['D:\\Roaming\\Zed\\settings.json', 'C:\\Users\\me\\.config\\zed\\settings.json'],
      opencode: ['D:\\Roaming\\opencode\\opencode.json'],
    },
  },
  {
    platform: 'win32',
    vars: {LOCALAPPDATA: 'D:\\Local'},
    changed: {
      'claude-desktop': [
        'D:\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json',
        `${APPDATA}\\Claude\\claude_desktop_config.json`,
      ],
    },
  },
  ...(['darwin', 'linux'] as const).flatMap((platform): Override[] => [
    {platform, vars: {CLAUDE_CONFIG_DIR: '/cc'}, changed: {'claude-code': ['/cc/.claude.json']}},
    {platform, vars: {CODEX_HOME: '/cx/'}, changed: {codex: ['/cx/config.toml']}},
  ]),
  {platform: 'win32', vars: {CLAUDE_CONFIG_DIR: 'D:\\cc'}, changed: {'claude-code': ['D:\\cc\\.claude.json']}},
  {platform: 'win32', vars: {CODEX_HOME: 'D:/cx'}, changed: {codex: ['D:\\cx\\config.toml']}},
]

const candidates = (r: ResolvedHost) => r.candidates.map((c) => c.path)

describe('resolveHost: every host on every platform', () => {
  for (const platform of ['darwin', 'linux', 'win32'] as const) {
    it(`${platform}, no overrides: candidates, default path, status absent`, async () => {
      const hosts = await resolveHosts(env(platform), EMPTY[platform])
      expect(hosts.map((h) => h.id)).toEqual(hostIds())
      for (const h of hosts) {
        expect(() => ResolvedHost.parse(h)).not.toThrow()
        expect(candidates(h), h.id).toEqual(DEFAULTS[platform][h.id])
        expect(h.status).toBe('absent')
        expect(h.path).toBe(DEFAULTS[platform][h.id]![0] ?? null)
        expect(h.candidates.every((c) => !c.exists)).toBe(true)
      }
    })
  }

  for (const {platform, vars, changed} of OVERRIDES) {
    it(`${platform} with ${Object.keys(vars).join(', ')}`, async () => {
      for (const h of await resolveHosts(env(platform, vars), EMPTY[platform])) {
        expect(candidates(h), h.id).toEqual(changed[h.id] ?? DEFAULTS[platform][h.id])
        expect(h.warnings, h.id).toEqual(h.id === 'augment' && platform === 'win32' ? [expect.stringContaining('no config location')] : [])
      }
    })
  }

  it('probes XDG_CONFIG_HOME once when it is ~/.config', async () => {
    const h = await resolveHost('zed', env('linux', {XDG_CONFIG_HOME: '/home/me/.config/'}), EMPTY.linux)
    expect(candidates(h)).toEqual(['/home/me/.config/zed/settings.json'])
  })

  it('reads Windows variables case-insensitively', async () => {
    const h = await resolveHost('vscode', env('win32', {AppData: 'E:\\R'}), EMPTY.win32)
    expect(h.path).toBe('E:\\R\\Code\\User\\mcp.json')
  })

  it('treats other Unix platforms like Linux', async () => {
    const h = await resolveHost('zed', {platform: 'freebsd', home: '/home/me', env: {}}, EMPTY.linux)
    expect(h.path).toBe('/home/me/.config/zed/settings.json')
  })
})

describe('resolveHost: non-absolute overrides are ignored with a warning', () => {
  it('relative APPDATA on Windows', async () => {
    const h = await resolveHost('vscode', env('win32', {APPDATA: 'AppData\\Roaming'}), EMPTY.win32)
    expect(h.path).toBe(`${APPDATA}\\Code\\User\\mcp.json`)
    expect(h.warnings).toEqual([expect.stringMatching(/^APPDATA is "AppData\\Roaming", which is not an absolute path; ignored it/)])
    // The expansion is remembered; its warning is given again every time, and a new value is expanded afresh.
    expect((await resolveHost('vscode', env('win32', {APPDATA: 'AppData\\Roaming'}), EMPTY.win32)).warnings).toEqual(h.warnings)
    expect((await resolveHost('vscode', env('win32', {APPDATA: 'E:\\Roam'}), EMPTY.win32)).path).toBe('E:\\Roam\\Code\\User\\mcp.json')
  })

  it('drive-relative LOCALAPPDATA on Windows', async () => {
    const h = await resolveHost('claude-desktop', env('win32', {LOCALAPPDATA: 'C:Local'}), EMPTY.win32)
    expect(h.path).toBe(`${MSIX_FIXED}\\claude_desktop_config.json`)
    expect(h.warnings).toEqual([expect.stringContaining('LOCALAPPDATA is "C:Local"')])
  })

  it('relative XDG_CONFIG_HOME, CLAUDE_CONFIG_DIR and CODEX_HOME', async () => {
    const e = env('linux', {XDG_CONFIG_HOME: 'cfg', CLAUDE_CONFIG_DIR: './cc', CODEX_HOME: 'codex'})
    const [zed, code, codex] = await resolveHosts(e, EMPTY.linux, ['zed', 'claude-code', 'codex'])
    expect([zed!.path, code!.path, codex!.path]).toEqual(['/home/me/.config/zed/settings.json', '/home/me/.claude.json', '/home/me/.codex/config.toml'])
    expect(zed!.warnings[0]).toContain('XDG_CONFIG_HOME')
    expect(code!.warnings[0]).toContain('CLAUDE_CONFIG_DIR')
    expect(codex!.warnings[0]).toContain('CODEX_HOME')
  })

  it('warns only for hosts that use the variable; empty counts as unset', async () => {
    const hosts = await resolveHosts(env('win32', {APPDATA: 'rel', CODEX_HOME: ''}), EMPTY.win32)
    const warned = hosts.filter((h) => h.warnings.some((w) => w.startsWith('APPDATA'))).map((h) => h.id)
    expect(warned).toEqual(['claude-desktop', 'vscode', 'zed', 'opencode'])
    expect(hosts.find((h) => h.id === 'codex')!.warnings).toEqual([])
  })
})

describe('resolveHost: statuses', () => {
  it('present: exactly one candidate exists', async () => {
    const fs = fakeFs('darwin', {files: [`${MAC_SUPPORT}/Zed/settings.json`]})
    const h = await resolveHost('zed', env('darwin'), fs)
    expect(h).toMatchObject({status: 'present', path: `${MAC_SUPPORT}/Zed/settings.json`, serversKey: 'context_servers', sharedState: true})
    expect(h.candidates).toEqual([
      {path: '/Users/me/.config/zed/settings.json', exists: false},
      {path: `${MAC_SUPPORT}/Zed/settings.json`, exists: true},
    ])
  })

  it('ambiguous: both LM Studio files exist, no path is picked', async () => {
    const fs = fakeFs('linux', {files: DEFAULTS.linux.lmstudio})
    const h = await resolveHost('lmstudio', env('linux'), fs)
    expect(h.status).toBe('ambiguous')
    expect(h.path).toBeNull()
    expect(h.candidates.every((c) => c.exists)).toBe(true)
  })

  it('ambiguous: VS Code and VS Code Insiders', async () => {
    const h = await resolveHost('vscode', env('win32'), fakeFs('win32', {files: DEFAULTS.win32.vscode}))
    expect(h.status).toBe('ambiguous')
  })

  it('app-only: the app folder exists without a config file', async () => {
    const h = await resolveHost('cursor', env('linux'), fakeFs('linux', {dirs: ['/home/me/.cursor']}))
    expect(h).toMatchObject({status: 'app-only', path: '/home/me/.cursor/mcp.json'})
  })

  it('app-only: codex with CODEX_HOME', async () => {
    const h = await resolveHost('codex', env('linux', {CODEX_HOME: '/opt/codex'}), fakeFs('linux', {dirs: ['/opt/codex']}))
    expect(h).toMatchObject({status: 'app-only', path: '/opt/codex/config.toml'})
  })

  it('default path: the first candidate whose folder exists', async () => {
    const h = await resolveHost('lmstudio', env('darwin'), fakeFs('darwin', {dirs: ['/Users/me/.cache/lm-studio']}))
    expect(h).toMatchObject({status: 'app-only', path: '/Users/me/.cache/lm-studio/mcp.json'})
  })

  it('two candidates that are the same file count once, with a warning', async () => {
    const [real, alias] = DEFAULTS.linux.lmstudio as [string, string]
    const h = await resolveHost('lmstudio', env('linux'), fakeFs('linux', {files: [real], links: {[alias]: real}}))
    expect(h).toMatchObject({status: 'present', path: real})
    expect(h.warnings).toEqual([`${alias} is the same file as ${real}.`])
  })

  it('a directory where the file should be is not a config file', async () => {
    const h = await resolveHost('cursor', env('linux'), fakeFs('linux', {dirs: ['/home/me/.cursor/mcp.json']}))
    expect(h.status).toBe('app-only')
    expect(h.warnings).toEqual(['/home/me/.cursor/mcp.json is a directory, not a config file; ignored it.'])
  })

  it('a FIFO where the file should be is named as such, never read, and not taken for the config', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'hatch-fifo-'))
    try {
      await mkdir(path.join(home, '.cursor'))
      const fifo = path.join(home, '.cursor', 'mcp.json')
      execFileSync('mkfifo', [fifo])
      const h = await resolveHost('cursor', {platform: 'linux', home, env: {}}, nodeHostFs)
      expect(h.status).toBe('app-only')
      expect(h.warnings).toEqual([`${fifo} is not a regular file (a FIFO, socket or device), so it is not read as a config; ignored it.`])
    } finally {
      await rm(home, {recursive: true, force: true})
    }
  })

  it('a candidate that cannot be checked is reported', async () => {
    const h = await resolveHost('gemini', env('linux'), fakeFs('linux', {denied: ['/home/me/.gemini/settings.json']}))
    expect(h.status).toBe('absent')
    expect(h.warnings).toEqual(['Could not check /home/me/.gemini/settings.json: EACCES.'])
  })

  it('no known location: augment on Windows', async () => {
    const h = await resolveHost('augment', env('win32'), EMPTY.win32)
    expect(h).toMatchObject({status: 'absent', path: null, candidates: []})
  })

  it('rejects an unknown host, listing every valid id', async () => {
    const error = await resolveHost('nope', env('linux'), EMPTY.linux).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HatchError)
    expect((error as HatchError).code).toBe('UNKNOWN_HOST')
    for (const id of hostIds()) expect((error as HatchError).message).toContain(id)
  })
})

describe('resolveHost: Claude Desktop MSIX on Windows', () => {
  const pkg = 'C:\\Users\\me\\AppData\\Local\\Packages'
  const classic = `${APPDATA}\\Claude\\claude_desktop_config.json`

  it('finds a Claude_* package with another publisher id', async () => {
    const file = `${pkg}\\Claude_abc123\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json`
    const h = await resolveHost('claude-desktop', env('win32'), fakeFs('win32', {files: [file], dirs: [`${pkg}\\Other_1`, `${pkg}\\ClaudeX`]}))
    expect(h).toMatchObject({status: 'present', path: file})
    expect(h.candidates).toEqual([
      {path: `${MSIX_FIXED}\\claude_desktop_config.json`, exists: false},
      {path: file, exists: true},
      {path: classic, exists: false},
    ])
  })

  it('lists the fixed publisher id once when the glob matches it too', async () => {
    const file = `${MSIX_FIXED}\\claude_desktop_config.json`
    const h = await resolveHost('claude-desktop', env('win32'), fakeFs('win32', {files: [file]}))
    expect(h).toMatchObject({status: 'present', path: file})
    expect(candidates(h)).toEqual([file, classic])
  })

  it('MSIX and classic both present: ambiguous', async () => {
    const msix = `${MSIX_FIXED}\\claude_desktop_config.json`
    const h = await resolveHost('claude-desktop', env('win32'), fakeFs('win32', {files: [msix, classic]}))
    expect(h).toMatchObject({status: 'ambiguous', path: null})
  })

  it('MSIX package installed, no config yet: app-only, default is the MSIX file', async () => {
    const h = await resolveHost('claude-desktop', env('win32'), fakeFs('win32', {dirs: [MSIX_FIXED, `${APPDATA}\\Other`]}))
    expect(h).toMatchObject({status: 'app-only', path: `${MSIX_FIXED}\\claude_desktop_config.json`})
  })

  it('classic install, no config yet: default is the classic file', async () => {
    const h = await resolveHost('claude-desktop', env('win32'), fakeFs('win32', {dirs: [`${APPDATA}\\Claude`]}))
    expect(h).toMatchObject({status: 'app-only', path: classic})
  })
})

describe('resolveHost with memfs and with the real file system', () => {
  it('works on a memfs volume', async () => {
    const vol = Volume.fromJSON({'/home/me/.config/claude/claude_desktop_config.json': '{}', '/home/me/.kiro/steering/x.md': ''})
    const fs: HostFs = {stat: (p) => vol.promises.stat(p), readdir: async (p) => (await vol.promises.readdir(p)).map(String)}
    const [claude, kiro] = await resolveHosts(env('linux'), fs, ['claude-desktop', 'kiro'])
    expect(claude).toMatchObject({status: 'present', path: '/home/me/.config/claude/claude_desktop_config.json'})
    expect(kiro).toMatchObject({status: 'app-only', path: '/home/me/.kiro/settings/mcp.json'})
  })

  let tmp: string | undefined
  afterEach(async () => {
    if (tmp) await rm(tmp, {recursive: true, force: true})
    tmp = undefined
  })

  it('works on a temp dir with node:fs (default fs)', async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'hatch-hosts-'))
    await mkdir(path.join(tmp, '.gemini'))
    await writeFile(path.join(tmp, '.gemini', 'settings.json'), '{}')
    const h = await resolveHost('gemini', {platform: 'linux', home: tmp, env: {}})
    expect(h).toMatchObject({status: 'present', path: path.join(tmp, '.gemini', 'settings.json'), format: 'jsonc'})
  })
})

describe('resolveConfigPath', () => {
  const odd = 'My Configs/Ünïcødé 設定 (copy).json'

  it('--config relative to the cwd, with spaces and non-ASCII characters, is not probed against candidates', async () => {
    const r = await resolveConfigPath('cursor', {config: odd}, env('linux', {}, '/home/me/work dir'), EMPTY.linux)
    expect(r).toMatchObject({path: `/home/me/work dir/${odd}`, exists: false})
    expect(r.host.id).toBe('cursor')
  })

  it('--config that exists', async () => {
    const file = `/home/me/Ünïcødé/${odd}`
    const r = await resolveConfigPath('vscode', {config: file}, env('linux'), fakeFs('linux', {files: [file]}))
    expect(r).toMatchObject({path: file, exists: true})
  })

  it('--config on Windows, relative and with ~', async () => {
    const e = env('win32', {}, 'C:\\Users\\me\\Dev')
    expect((await resolveConfigPath('zed', {config: 'Zed Ä\\settings.json'}, e, EMPTY.win32)).path).toBe('C:\\Users\\me\\Dev\\Zed Ä\\settings.json')
    expect((await resolveConfigPath('zed', {config: '~/x y.json'}, e, EMPTY.win32)).path).toBe('C:\\Users\\me\\x y.json')
  })

  it('--config with ~ on Linux', async () => {
    expect((await resolveConfigPath('codex', {config: '~/.codex/other.toml'}, env('linux'), EMPTY.linux)).path).toBe('/home/me/.codex/other.toml')
  })

  it('--config that is empty or a directory is an invalid argument', async () => {
    await expect(resolveConfigPath('cursor', {config: ' '}, env('linux'), EMPTY.linux)).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    const fs = fakeFs('linux', {dirs: ['/home/me/cfg']})
    await expect(resolveConfigPath('cursor', {config: '/home/me/cfg'}, env('linux'), fs)).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
  })

  it('an unknown host fails even with --config', async () => {
    await expect(resolveConfigPath('nope', {config: '/x.json'}, env('linux'), EMPTY.linux)).rejects.toMatchObject({code: 'UNKNOWN_HOST'})
  })

  it('without --config: the one existing file', async () => {
    const fs = fakeFs('linux', {files: ['/home/me/.cache/lm-studio/mcp.json']})
    const r = await resolveConfigPath('lmstudio', {}, env('linux'), fs)
    expect(r).toMatchObject({path: '/home/me/.cache/lm-studio/mcp.json', exists: true})
  })

  it('without --config: a missing file is returned, not thrown', async () => {
    const r = await resolveConfigPath('windsurf', {}, env('darwin'), EMPTY.darwin)
    expect(r).toMatchObject({path: '/Users/me/.codeium/windsurf/mcp_config.json', exists: false})
  })

  it('without --config: ambiguity throws AMBIGUOUS_CONFIG with a --config suggestion per file', async () => {
    const files = DEFAULTS.darwin.vscode!
    const error = (await resolveConfigPath('vscode', {}, env('darwin'), fakeFs('darwin', {files})).catch((e: unknown) => e)) as HatchError
    expect(error).toBeInstanceOf(HatchError)
    expect(error.code).toBe('AMBIGUOUS_CONFIG')
    expect(error.exitCode).toBe(9)
    for (const f of files) expect(error.message).toContain(f)
    expect(error.suggestions).toEqual([...files.map((f) => `--config '${f}'`), `hatch mcp hosts set-path vscode '${files[0]}'   (saves the choice for every command)`])
  })

  it('a path saved for the host wins over discovery (even when ambiguous), and --config wins over it', async () => {
    const files = DEFAULTS.darwin.vscode!
    const saved = {...env('darwin'), savedPaths: {vscode: files[1]!}}
    const fs = fakeFs('darwin', {files})
    await expect(resolveConfigPath('vscode', {}, saved, fs)).resolves.toMatchObject({path: files[1], exists: true})
    await expect(resolveConfigPath('vscode', {config: files[0]}, saved, fs)).resolves.toMatchObject({path: files[0]})
    await expect(resolveHost('vscode', saved, fs)).resolves.toMatchObject({status: 'present', path: files[1], saved: true, candidates: [{path: files[1], exists: true}]})
    await expect(resolveHost('vscode', env('darwin'), fs)).resolves.toMatchObject({status: 'ambiguous', saved: false})
    // A saved file that is gone is reported absent, not replaced by a guess; one that is a folder is refused.
    await expect(resolveHost('vscode', {...env('darwin'), savedPaths: {vscode: '/nowhere/mcp.json'}}, fs)).resolves.toMatchObject({status: 'absent', path: '/nowhere/mcp.json'})
    const dir = files[0]!.slice(0, files[0]!.lastIndexOf('/'))
    await expect(resolveConfigPath('vscode', {}, {...env('darwin'), savedPaths: {vscode: dir}}, fs)).rejects.toMatchObject({code: 'INVALID_ARGUMENT', message: expect.stringContaining('The path saved for vscode:')})
  })

  it('without --config: no known location is CONFIG_NOT_FOUND', async () => {
    await expect(resolveConfigPath('augment', {}, env('win32'), EMPTY.win32)).rejects.toMatchObject({code: 'CONFIG_NOT_FOUND'})
  })
})
