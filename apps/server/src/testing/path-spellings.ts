/*
 * Other spellings of one URL path, the kind that tricked guards deciding from the raw URL:
 * percent-encoding of any single character (both hex cases) and of all of them, case
 * changes, doubled and trailing slashes, semicolon parameters, dot segments (plain and
 * encoded), backslashes, encoded slashes and trailing junk. Each is a path to send as-is.
 */

const pct = (ch: string, lower = false): string => {
  const hex = [...Buffer.from(ch, 'utf8')].map((b) => b.toString(16).padStart(2, '0'));
  return hex.map((h) => `%${lower ? h : h.toUpperCase()}`).join('');
};

function flipCase(s: string): string {
  return [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

/** The slash positions of `path` ("/a/b" → [0, 2]). */
function slashes(path: string): number[] {
  return [...path].flatMap((c, i) => (c === '/' ? [i] : []));
}

const insertAt = (s: string, i: number, text: string): string => s.slice(0, i) + text + s.slice(i);

function encodings(path: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const ch = path[i] ?? '';
    if (ch === '/') continue;
    out.push(path.slice(0, i) + pct(ch) + path.slice(i + 1));
    if (/[a-z]/i.test(ch)) out.push(path.slice(0, i) + pct(ch, true) + path.slice(i + 1));
  }
  out.push([...path].map((c) => (c === '/' ? c : pct(c))).join(''));
  out.push(path.replaceAll('/', '%2F'), path.replaceAll('/', '%2f'));
  return out;
}

function cases(path: string): string[] {
  const segs = path.split('/');
  const out = [path.toUpperCase(), flipCase(path)];
  segs.forEach((seg, i) => {
    if (!seg) return;
    const up = [...segs];
    up[i] = (seg[0] ?? '').toUpperCase() + seg.slice(1);
    out.push(up.join('/'));
    up[i] = seg.toUpperCase();
    out.push(up.join('/'));
  });
  return out;
}

function slashForms(path: string): string[] {
  const out = slashes(path).map((i) => insertAt(path, i, '/'));
  out.push(`${path}/`, `${path}//`, `//${path.slice(1)}`, `${path.replaceAll('/', '//')}`);
  for (const i of slashes(path)) {
    out.push(path.slice(0, i) + '\\' + path.slice(i + 1));
    out.push(path.slice(0, i) + '%5C' + path.slice(i + 1));
  }
  return out;
}

function semicolons(path: string): string[] {
  const segEnds = [...slashes(path).slice(1), path.length];
  const out = segEnds.map((i) => insertAt(path, i, ';'));
  out.push(...segEnds.map((i) => insertAt(path, i, ';jsessionid=x')));
  out.push(`${path};`, `${path}%3B`, `${path};.css`);
  return out;
}

function dotSegments(path: string): string[] {
  const segEnds = [...slashes(path).slice(1), path.length];
  const out: string[] = [];
  for (const i of segEnds) {
    out.push(insertAt(path, i, '/.'), insertAt(path, i, '/%2e'), insertAt(path, i, '/%2E'));
  }
  for (const i of slashes(path)) {
    out.push(
      insertAt(path, i, '/x/..'),
      insertAt(path, i, '/x/%2e%2e'),
      insertAt(path, i, '/x/.%2E'),
    );
  }
  out.push(`/.${path}`, `/x/..${path}`, `${path}/.`, `${path}/..${path}`, `/..${path}`);
  return out;
}

function trailingJunk(path: string): string[] {
  return ['%00', '%20', '%09', '%0a', '.', '~', '#', '?', '?x=1', '%3F', '%23', '.json'].map(
    (t) => path + t,
  );
}

/** Every alternative spelling of `path` (deduplicated, the path itself first). */
export function pathSpellings(path: string): string[] {
  return [
    ...new Set([
      path,
      ...encodings(path),
      ...cases(path),
      ...slashForms(path),
      ...semicolons(path),
      ...dotSegments(path),
      ...trailingJunk(path),
    ]),
  ];
}
