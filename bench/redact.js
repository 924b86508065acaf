// Masking speed: µs per log line over ~10k typical lines. Run `npm run build` first (npm run bench does).
// Usage: node bench/redact.js
import {maskText} from '../dist/core/redact/mask.js'

const templates = [
  (i) => `2026-11-21T16:51:${String(i % 60).padStart(2, '0')}.123Z INFO backup created id=20261121_165100_${String(i).padStart(6, '0')} host=claude-desktop`,
  (i) => `sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 size=${1000 + i} path=/home/user/.config/Claude/claude_desktop_config.json`,
  (i) => `tool call backup_restore {"id":"20261121_165100_${String(i).padStart(6, '0')}","confirm":true,"requestId":"123e4567-e89b-12d3-a456-426614174000"}`,
  (i) => `user kim${i}@example.com called from 010-1234-${String(i % 10_000).padStart(4, '0')} with Authorization: Bearer abcdef${i}1234567890`,
  (i) => `env GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ01234${i % 10} OPENAI_API_KEY=\${OPENAI_API_KEY} DEBUG=1`,
]
const lines = Array.from({length: 10_000}, (_, i) => templates[i % templates.length](i))

for (const line of lines.slice(0, 500)) maskText(line) // warm up
const rounds = 5
let masked = 0
const start = process.hrtime.bigint()
for (let r = 0; r < rounds; r++) for (const line of lines) masked += maskText(line).length
const elapsedUs = Number(process.hrtime.bigint() - start) / 1000
const perLine = elapsedUs / (rounds * lines.length)
console.log(`maskText: ${perLine.toFixed(2)} µs per line (${lines.length} lines × ${rounds} rounds, ${masked} chars out)`)
