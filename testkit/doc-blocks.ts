// What the docs tell a user to run, read out of the Markdown itself (never a copy in a test):
// fenced code blocks, one language section of a bilingual page, the prose around the blocks.
import { readFileSync } from 'fs'
import path from 'path'

export interface CodeBlock {
  /** The fence's info string: sh, nginx, ini… ('' for none). */
  lang: string
  code: string
}

const FENCE = /^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm

export function readDoc(name: string): string {
  return readFileSync(path.resolve(__dirname, '..', name), 'utf8')
}

export function codeBlocks(markdown: string): CodeBlock[] {
  return [...markdown.matchAll(FENCE)].map((m) => ({ lang: m[1].trim(), code: m[2] }))
}

/** The Markdown without its code blocks. */
export function prose(markdown: string): string {
  return markdown.replace(FENCE, '')
}

/** From `heading` (a whole line, e.g. '## English') to the next heading of its level or above. */
export function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n')
  const start = lines.indexOf(heading)
  if (start < 0) throw new Error(`no heading "${heading}"`)
  const level = /^#+/.exec(heading)![0].length
  let inFence = false
  let end = lines.length
  for (let i = start + 1; i < lines.length; i++) {
    if (lines[i].startsWith('```')) inFence = !inFence
    const m = /^(#+) /.exec(lines[i])
    if (!inFence && m && m[1].length <= level) {
      end = i
      break
    }
  }
  return lines.slice(start, end).join('\n')
}

/** The one block of `markdown` that `pick` selects; throws when none or several do. */
export function theBlock(
  markdown: string,
  what: string,
  pick: (b: CodeBlock) => boolean,
): CodeBlock {
  const found = codeBlocks(markdown).filter(pick)
  if (found.length !== 1) throw new Error(`${found.length} code blocks for ${what}, not 1`)
  return found[0]
}
