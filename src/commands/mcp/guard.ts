import {Flags} from '@oclif/core'

import {HatchCommand} from '../../cli/base-command.js'
import {openFileOperations} from '../../cli/context.js'
import {renderServerChanges} from '../../cli/render-servers.js'
import {EXIT, HatchError} from '../../core/errors.js'
import {guardTargets, runGuarded, type GuardReport} from '../../core/guard/guard.js'

export default class McpGuard extends HatchCommand<GuardReport> {
  static override summary = 'Run a command that may edit MCP configs, and undo the damage it does.'
  static override description = `Backs up each host's config file, runs the command after -- (stdin, stdout and stderr passed through, signals passed on, no shell), then checks each file: it must still parse and still have every server it had (unless --allow-removal). A damaged file is restored; when the command fails, every file changed while it ran is (hatch cannot tell the command's edits from another program's made meanwhile, so the report says "by it or another program"). Files that also hold the app's other state (~/.claude.json, Codex, Gemini, Zed, OpenCode) get back only their servers. A restore backs up what it replaces, and is refused — said in the report — if another program changed the file again after the command ended.
Exits with the command's own exit code when it fails (128+N for signal N), ${EXIT.DAMAGED} when it succeeded but damaged a config, else 0. The report goes to stderr; with --json, stdout carries only the report and the command's stdout goes to stderr.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -- npx some-installer add my-server',
    '<%= config.bin %> <%= command.id %> --host claude-desktop --host cursor -- ./setup.sh',
    "<%= config.bin %> <%= command.id %> --json -- sh -c 'installer && other-step'",
  ]

  // The command after -- is taken from the raw argv (oclif reorders repeated arguments); see run().
  static override strict = false

  static override flags = {
    host: Flags.string({description: 'Guard only this host (repeatable; default: every host with a config file or app folder).', helpValue: 'HOST', multiple: true, multipleNonGreedy: true}),
    'allow-removal': Flags.boolean({default: false, description: 'A command that removes servers is not damaging.'}),
  }

  async run(): Promise<GuardReport> {
    const split = this.argv.indexOf('--')
    const [command, ...args] = split === -1 ? [] : this.argv.slice(split + 1)
    const {flags} = await this.parse(McpGuard, split === -1 ? this.argv : this.argv.slice(0, split))
    if (command === undefined) {
      throw new HatchError('INVALID_ARGUMENT', 'Give the command to run after --.', {suggestions: ['For example: hatch mcp guard -- npx some-installer add my-server']})
    }
    const {targets, skipped} = await guardTargets(flags.host)
    const json = this.jsonEnabled()
    const say = (text: string) => {
      if (!json) this.logToStderr(text)
    }
    const report = await runGuarded(openFileOperations(this.config.version), {
      targets,
      skipped,
      command,
      args,
      allowRemoval: flags['allow-removal'],
      stdout: json ? 'stderr' : 'inherit',
      onSnapshot: (snapshots) => say(`hatch guard: backed up ${snapshots.filter((s) => s.backup).map((s) => `${s.host.id} (${s.backup!.id})`).join(', ') || 'nothing (no config files yet)'}`),
    })
    process.exitCode = report.status !== 0 ? report.status : report.damaged ? EXIT.DAMAGED : EXIT.OK
    say(render(report, (text) => this.hint(text)))
    return report
  }
}

/** The report for a person; `hint` writes the commands in notes the way the user can run them here. */
function render(r: GuardReport, hint: (text: string) => string): string {
  const lines = [`hatch guard: the command ${r.signal ? `was ended by ${r.signal}` : `exited ${r.exitCode}`}.`]
  for (const f of r.files) {
    if (f.status === 'unchanged') continue
    // hatch cannot tell the command's edits from another program's made meanwhile: never say they are all the command's.
    const during = 'while the command ran (by it or another program)'
    const what = f.damage.length > 0 ? `DAMAGED ${during}: ${f.damage.join('; ')}` : `${f.restored === 'deleted' ? 'created' : 'changed'} ${during}`
    const done = {changed: 'kept', restored: f.damage.length > 0 ? 'restored' : 'restored, because the command failed', conflict: 'NOT restored', failed: 'NOT restored', unchanged: ''}[f.status]
    lines.push(`  ${f.host} ${f.path}: ${what}; ${done}`)
    lines.push(...renderServerChanges(f.servers, '    '))
    if (f.note) lines.push(`    ${hint(f.note)}`)
  }
  if (r.files.every((f) => f.status === 'unchanged')) lines.push('  No config file changed.')
  for (const s of r.skipped) lines.push(`  ${s.host}: not guarded: ${hint(s.reason)}`)
  return lines.join('\n')
}
