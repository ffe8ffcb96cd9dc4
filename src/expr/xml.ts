// Minimal XML parser + etree-like path search for XMLGetNodeValue / XMLGetAttributeValue (expr.md §5).
// Owns: element tree (tag, attributes, text), entity decoding, path subset:
// `/abs/path`, `rel/path`, `//desc`, `.`, `..`, `*`, `[n]` (1-based), `[@a]`, `[@a='v']`, `[tag]`, `[tag='v']`.

export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  parent: XmlElement | null;
}

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e]!;
  });
}

/**
 * Parse a document; returns a synthetic document node whose children are the top-level elements. Throws on
 * malformed input.
 */
export function parseXml(src: string): XmlElement {
  const doc: XmlElement = { tag: '', attrs: {}, children: [], text: '', parent: null };
  let cur = doc;
  let textSeen = false;
  let i = 0;
  const n = src.length;
  while (i < n) {
    if (src[i] !== '<') {
      const j = src.indexOf('<', i);
      const raw = src.slice(i, j < 0 ? n : j);
      if (cur !== doc && cur.children.length === 0 && !textSeen) {
        cur.text += decodeEntities(raw);
      }
      i = j < 0 ? n : j;
      continue;
    }
    if (src.startsWith('<!--', i)) {
      const e = src.indexOf('-->', i);
      if (e < 0) throw new Error('unterminated comment');
      i = e + 3;
      continue;
    }
    if (src.startsWith('<![CDATA[', i)) {
      const e = src.indexOf(']]>', i);
      if (e < 0) throw new Error('unterminated CDATA');
      if (cur !== doc && cur.children.length === 0 && !textSeen) cur.text += src.slice(i + 9, e);
      i = e + 3;
      continue;
    }
    if (src.startsWith('<?', i)) {
      const e = src.indexOf('?>', i);
      if (e < 0) throw new Error('unterminated processing instruction');
      i = e + 2;
      continue;
    }
    if (src.startsWith('<!', i)) {
      const e = src.indexOf('>', i);
      if (e < 0) throw new Error('unterminated directive');
      i = e + 1;
      continue;
    }
    if (src[i + 1] === '/') {
      const e = src.indexOf('>', i);
      if (e < 0) throw new Error('unterminated end tag');
      const name = src.slice(i + 2, e).trim();
      if (cur === doc || cur.tag !== name) throw new Error(`element <${cur.tag}> closed by </${name}>`);
      textSeen = true;
      cur = cur.parent!;
      i = e + 1;
      continue;
    }
    const m = /^<([^\s/>]+)/.exec(src.slice(i, i + 256));
    if (!m) throw new Error('invalid tag');
    const el: XmlElement = { tag: m[1]!, attrs: {}, children: [], text: '', parent: cur };
    let j = i + m[0].length;
    const attrRe = /\s*([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/y;
    for (;;) {
      attrRe.lastIndex = j;
      const am = attrRe.exec(src);
      if (!am) break;
      el.attrs[am[1]!] = decodeEntities(am[3] ?? am[4] ?? '');
      j = attrRe.lastIndex;
    }
    while (j < n && /\s/.test(src[j]!)) j++;
    cur.children.push(el);
    if (src.startsWith('/>', j)) {
      i = j + 2;
      textSeen = true;
      continue;
    }
    if (src[j] !== '>') throw new Error('malformed tag');
    i = j + 1;
    cur = el;
    textSeen = false;
  }
  if (cur !== doc) throw new Error(`unclosed element <${cur.tag}>`);
  if (doc.children.length === 0) throw new Error('no root element');
  return doc;
}

function localName(tag: string): string {
  const c = tag.indexOf(':');
  return c < 0 ? tag : tag.slice(c + 1);
}

function tagMatches(el: XmlElement, name: string): boolean {
  return name === '*' || el.tag === name || (!name.includes(':') && localName(el.tag) === name);
}

function descendants(el: XmlElement, out: XmlElement[]): void {
  for (const c of el.children) {
    out.push(c);
    descendants(c, out);
  }
}

function applyFilter(nodes: XmlElement[], f: string): XmlElement[] {
  f = f.trim();
  if (/^\d+$/.test(f)) {
    const k = parseInt(f, 10);
    return k >= 1 && k <= nodes.length ? [nodes[k - 1]!] : [];
  }
  if (f === 'last()') return nodes.length ? [nodes[nodes.length - 1]!] : [];
  let m = /^@([^=\s]+)\s*(?:=\s*(?:'([^']*)'|"([^"]*)"))?$/.exec(f);
  if (m) {
    const a = m[1]!;
    const v = m[2] ?? m[3];
    return nodes.filter(
      (e) => Object.prototype.hasOwnProperty.call(e.attrs, a) && (v === undefined || e.attrs[a] === v),
    );
  }
  m = /^([^=\s]+)\s*(?:=\s*(?:'([^']*)'|"([^"]*)"))?$/.exec(f);
  if (m) {
    const t = m[1]!;
    const v = m[2] ?? m[3];
    return nodes.filter((e) => e.children.some((c) => tagMatches(c, t) && (v === undefined || c.text === v)));
  }
  throw new Error(`invalid path filter [${f}]`);
}

/** etree FindElements over `path` starting at the document. */
export function findElements(doc: XmlElement, path: string): XmlElement[] {
  let nodes: XmlElement[];
  let p = path;
  if (p.startsWith('//')) {
    nodes = [];
    descendants(doc, nodes);
    nodes.unshift(doc);
    p = p.slice(2);
    return walk(nodes, p, true);
  }
  if (p.startsWith('/')) {
    nodes = [doc];
    p = p.slice(1);
  } else nodes = [doc];
  return walk(nodes, p, false);
}

function splitSteps(p: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let q = '';
  for (const ch of p) {
    if (q) {
      cur += ch;
      if (ch === q) q = '';
      continue;
    }
    if (ch === "'" || ch === '"') {
      q = ch;
      cur += ch;
      continue;
    }
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === '/' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

function walk(start: XmlElement[], p: string, firstIsDesc: boolean): XmlElement[] {
  let nodes = start;
  const steps = splitSteps(p);
  let desc = firstIsDesc;
  for (const step of steps) {
    if (step === '') {
      desc = true;
      continue;
    }
    const m = /^([^[]+)((?:\[[^\]]*\])*)$/.exec(step);
    if (!m) throw new Error(`invalid path step ${step}`);
    const name = m[1]!;
    const filters = [...m[2]!.matchAll(/\[([^\]]*)\]/g)].map((x) => x[1]!);
    const next: XmlElement[] = [];
    const seen = new Set<XmlElement>();
    for (const n of nodes) {
      let cands: XmlElement[];
      if (name === '.') cands = [n];
      else if (name === '..') cands = n.parent ? [n.parent] : [];
      else {
        const pool: XmlElement[] = [];
        if (desc) descendants(n, pool);
        else pool.push(...n.children);
        cands = pool.filter((c) => tagMatches(c, name));
      }
      for (const f of filters) cands = applyFilter(cands, f);
      for (const c of cands)
        if (!seen.has(c)) {
          seen.add(c);
          next.push(c);
        }
    }
    nodes = next;
    desc = false;
  }
  return nodes;
}
