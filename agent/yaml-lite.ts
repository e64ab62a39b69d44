/**
 * The YAML a configuration file is written in, read without the `yaml` package: block mappings
 * and sequences (a sequence may sit at its key's indentation), one-line flow mappings `{ a: 1 }`
 * and sequences `[a, b]`, plain, 'single' and "double" quoted scalars, comments, and the YAML 1.2
 * core schema's null, booleans and numbers. That covers the agent's configuration files; loading
 * the `yaml` package instead (≈130 KB of source, its parse of the file) costs the agent about
 * 0.8 MB for the rest of its life.
 *
 * Anything else (anchors, tags, block scalars `|` `>`, document markers, multi-line scalars or
 * flow collections, duplicate keys, a syntax error) throws `Unsupported`: the caller then parses
 * the file with the `yaml` package, so every file reads as it would there, and its errors are
 * the package's. The result is the same as the package's `parse()` for what is read here (a
 * test compares the two).
 */
export class Unsupported extends Error {
  override readonly name = 'Unsupported';
}

interface Line {
  readonly indent: number;
  /** The line without its indentation, trailing spaces and comment. */
  readonly text: string;
}

const unsupported = (why: string): never => {
  throw new Unsupported(why);
};

/** Parses `text`; throws `Unsupported` outside the subset. */
export function parseYamlLite(text: string): unknown {
  const lines: Line[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const indent = /^ */.exec(raw)![0].length;
    // A tab (indentation, or after a key's colon) is left to the package, which reads it exactly.
    if (raw.includes('\t')) unsupported('a tab');
    const body = stripComment(raw.slice(indent)).trimEnd();
    if (body === '') continue;
    if (indent === 0 && /^(---|\.\.\.)(\s|$)|^%/.test(body)) unsupported('document markers or directives');
    lines.push({ indent, text: body });
  }
  if (lines.length === 0) unsupported('an empty document');
  const state = { lines, i: 0 };
  const value = parseBlock(state, lines[0]!.indent);
  if (state.i < lines.length) unsupported(`unexpected line ${JSON.stringify(lines[state.i]!.text.slice(0, 40))}`);
  return value;
}

/** `text` up to a comment (`#` at the start or after a space, outside quotes). */
function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '#' && (i === 0 || text[i - 1] === ' ' || text[i - 1] === '\t')) return text.slice(0, i);
    else if ((ch === '"' || ch === "'") && nodeStartsAt(text, i)) quote = ch;
  }
  return text;
}

/**
 * Whether a quoted scalar may open at `text[i]`: at the line's start or after `- `, `: `, `[`, `{`
 * or `,`. Elsewhere a quote is a character of a plain scalar (`Prenota il "turno #2"` ends at
 * ` #`, as the package reads it).
 */
function nodeStartsAt(text: string, i: number): boolean {
  const before = text.slice(0, i);
  return /^\s*$|(^|\s)-\s+$|:\s+$|[[{,]\s*$/.test(before);
}

type State = { lines: Line[]; i: number };

const isSeqEntry = (t: string) => t === '-' || t.startsWith('- ');

function parseBlock(s: State, indent: number): unknown {
  const line = s.lines[s.i]!;
  if (line.indent !== indent) unsupported('unexpected indentation');
  if (isSeqEntry(line.text)) return parseSequence(s, indent);
  if (mappingKey(line.text)) return parseMapping(s, indent);
  // A scalar or flow collection alone (the whole document, or a value on its own line).
  s.i++;
  return inlineValue(line.text);
}

function parseSequence(s: State, indent: number): unknown[] {
  const out: unknown[] = [];
  while (s.i < s.lines.length) {
    const line = s.lines[s.i]!;
    if (line.indent !== indent || !isSeqEntry(line.text)) break;
    const rest = line.text.slice(1).trimStart();
    const col = indent + (line.text.length - rest.length);
    if (rest === '') {
      s.i++;
      const next = s.lines[s.i];
      out.push(next && next.indent > indent ? parseBlock(s, next.indent) : null);
    } else if (isSeqEntry(rest)) {
      unsupported('a sequence inside a sequence entry');
    } else if (mappingKey(rest)) {
      // "- key: value" starts a mapping at the column of "key".
      s.lines[s.i] = { indent: col, text: rest };
      out.push(parseMapping(s, col));
    } else {
      s.i++;
      out.push(inlineValue(rest));
    }
  }
  return out;
}

function parseMapping(s: State, indent: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  while (s.i < s.lines.length) {
    const line = s.lines[s.i]!;
    if (line.indent < indent) break;
    if (line.indent > indent) unsupported('unexpected indentation');
    if (isSeqEntry(line.text)) break;
    const k = mappingKey(line.text) ?? unsupported(`not a "key: value" line: ${JSON.stringify(line.text.slice(0, 40))}`);
    if (Object.hasOwn(out, k.key) || k.key === '__proto__' || k.key === '<<') unsupported(`key ${k.key}`);
    s.i++;
    const rest = line.text.slice(k.end).trim();
    let value: unknown;
    if (rest !== '') value = inlineValue(rest);
    else {
      const next = s.lines[s.i];
      if (next && next.indent > indent) value = parseBlock(s, next.indent);
      else if (next && next.indent === indent && isSeqEntry(next.text)) value = parseSequence(s, indent);
      else value = null;
    }
    out[k.key] = value;
  }
  return out;
}

/** The key of a "key: value" (or "key:") line and where its value starts; undefined if not one. */
function mappingKey(text: string): { key: string; end: number } | undefined {
  if (text[0] === '"' || text[0] === "'") {
    const q = quoted(text, 0);
    if (text[q.end] !== ':' || (q.end + 1 < text.length && text[q.end + 1] !== ' ')) return undefined;
    return { key: q.value, end: q.end + 1 };
  }
  const m = /^([^\s#:,[\]{}&*!|>'"%@`?-][^:]*?|-[^\s:][^:]*?):(?: |$)/.exec(text);
  if (!m) return undefined;
  const key = m[1]!.trimEnd();
  if (/ #/.test(key)) return undefined;
  const v = plainScalar(key);
  if (typeof v !== 'string') unsupported(`a key that is not a string: ${key}`);
  return { key: v as string, end: m[0].length };
}

/** A value written on one line: a flow collection, a quoted or a plain scalar. */
function inlineValue(text: string): unknown {
  const ch = text[0]!;
  if (ch === '{' || ch === '[') {
    const r = flowValue(text, 0);
    if (text.slice(r.end).trim() !== '') unsupported('text after a flow collection');
    return r.value;
  }
  if (ch === '"' || ch === "'") {
    const q = quoted(text, 0);
    if (text.slice(q.end).trim() !== '') unsupported('text after a quoted scalar');
    return q.value;
  }
  if (/^[-?:](\s|$)|^[,[\]{}#&*!|>%@`]/.test(text)) unsupported(`a value starting with ${ch}`);
  if (/: |:$/.test(text)) unsupported('a mapping inside a value');
  return plainScalar(text);
}

/** A flow mapping or sequence starting at `text[at]`, on this line. */
function flowValue(text: string, at: number): { value: unknown; end: number } {
  const ws = (p: number) => {
    while (text[p] === ' ') p++;
    return p;
  };
  const close = text[at] === '{' ? '}' : ']';
  const map = close === '}';
  const obj: Record<string, unknown> = {};
  const arr: unknown[] = [];
  let p = ws(at + 1);
  for (;;) {
    if (p >= text.length) unsupported('a flow collection over several lines');
    if (text[p] === close) return { value: map ? obj : arr, end: p + 1 };
    if (map) {
      let key: string;
      if (text[p] === '"' || text[p] === "'") {
        const q = quoted(text, p);
        key = q.value;
        p = q.end;
      } else {
        const m = /^[^\s,[\]{}#&*!|>'"%@`?:-][^,[\]{}:]*?(?=:[ ,}\]]|:$)/.exec(text.slice(p));
        if (!m) return unsupported('a flow mapping entry');
        const k = plainScalar(m[0].trimEnd());
        if (typeof k !== 'string') unsupported('a key that is not a string');
        key = k as string;
        p += m[0].length;
      }
      if (text[p] !== ':') unsupported('a flow mapping entry without ":"');
      p = ws(p + 1);
      if (Object.hasOwn(obj, key) || key === '__proto__' || key === '<<') unsupported(`key ${key}`);
      if (text[p] === ',' || text[p] === '}') obj[key] = null;
      else {
        const v = flowItem(text, p);
        obj[key] = v.value;
        p = v.end;
      }
    } else {
      const v = flowItem(text, p);
      arr.push(v.value);
      p = v.end;
    }
    p = ws(p);
    if (text[p] === ',') p = ws(p + 1);
    else if (text[p] !== close) unsupported('a flow collection entry');
  }
}

function flowItem(text: string, p: number): { value: unknown; end: number } {
  const ch = text[p];
  if (ch === '{' || ch === '[') return flowValue(text, p);
  if (ch === '"' || ch === "'") return quoted(text, p);
  const m = /^[^\s,[\]{}#&*!|>'"%@`?:-][^,[\]{}]*?(?=\s*[,}\]]|\s*$)|^-[^\s,[\]{}][^,[\]{}]*?(?=\s*[,}\]]|\s*$)/.exec(text.slice(p));
  if (!m || /: |:$/.test(m[0])) return unsupported('a flow entry');
  return { value: plainScalar(m[0]), end: p + m[0].length };
}

const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};

/** A quoted scalar starting at `text[at]`, ending on this line. */
function quoted(text: string, at: number): { value: string; end: number } {
  const q = text[at]!;
  let out = '';
  for (let i = at + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (q === "'") {
      if (ch !== "'") out += ch;
      else if (text[i + 1] === "'") {
        out += "'";
        i++;
      } else return { value: out, end: i + 1 };
    } else if (ch === '"') return { value: out, end: i + 1 };
    else if (ch !== '\\') out += ch;
    else {
      const e = text[++i] ?? '';
      const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (hex) {
        const digits = text.slice(i + 1, i + 1 + hex);
        if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) unsupported('an escape');
        out += String.fromCodePoint(Number.parseInt(digits, 16));
        i += hex;
      } else out += ESCAPES[e] ?? unsupported(`the escape \\${e}`);
    }
  }
  return unsupported('a quoted scalar over several lines');
}

/** A plain scalar, resolved as the YAML 1.2 core schema does (as the `yaml` package does). */
function plainScalar(s: string): unknown {
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE)$/.test(s)) return true;
  if (/^(?:[Ff]alse|FALSE)$/.test(s)) return false;
  if (/^0o[0-7]+$/.test(s)) return Number.parseInt(s.slice(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return Number.parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return Number.parseInt(s.slice(2), 16);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(s)) return s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^\.(?:nan|NaN|NAN)$/.test(s)) return Number.NaN;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(s)) return Number.parseFloat(s);
  return s;
}
