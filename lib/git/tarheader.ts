// Tar headers byte-for-byte as Go's archive/tar Writer writes them for the scrubbed headers of
// pkg/tarscrub (spec §4.6.2): only type, name, linkname, size and mode are ever set; uid/gid 0,
// no user/group names, mtime 0. USTAR when the header fits (a long ASCII name is split into
// prefix and name), otherwise a PAX extended header ("path", "linkpath", "size" records) then
// the main header. Strings are raw bytes held in latin1 strings.

export const TYPE_REG = 0x30; // '0'
export const TYPE_SYMLINK = 0x32; // '2'
export const TYPE_DIR = 0x35; // '5'
const TYPE_PAX = 0x78; // 'x'

export interface ScrubbedHeader {
  typeflag: number;
  name: string;
  linkname: string;
  size: number;
  mode: number;
}

const BLOCK = 512;
const NAME_SIZE = 100;
const PREFIX_SIZE = 155;

// field offsets of the V7/USTAR header
const F = {
  name: [0, 100], mode: [100, 8], uid: [108, 8], gid: [116, 8], size: [124, 12], mtime: [136, 12],
  chksum: [148, 8], typeflag: [156, 1], linkname: [157, 100], magic: [257, 6], version: [263, 2],
  uname: [265, 32], gname: [297, 32], devmajor: [329, 8], devminor: [337, 8], prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

/** The padding that completes a member of `size` bytes to whole blocks. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** The header block(s) for one member; the caller writes the content and its padding. */
export function encodeHeader(h: ScrubbedHeader): Buffer {
  const pax = new Map<string, string>();
  let ustar = true;

  const checkString = (s: string, size: number, paxKey: string): void => {
    if (!isASCII(s) || s.length > size) {
      if (!(paxKey === 'path' && splitUSTARPath(s) !== null)) ustar = false;
      pax.set(paxKey, s);
    }
  };
  checkString(h.name, NAME_SIZE, 'path');
  checkString(h.linkname, NAME_SIZE, 'linkpath');
  if (!fitsInOctal(12, h.size)) {
    ustar = false;
    pax.set('size', String(h.size));
  }

  if (ustar) {
    let name = h.name;
    let prefix = '';
    const split = splitUSTARPath(h.name);
    if (split !== null) [prefix, name] = split;
    const blk = templateV7Plus(h, name);
    putString(blk, F.prefix, prefix);
    setUSTARFormat(blk);
    return blk;
  }

  // PAX: one extended header member whose records are sorted by key, then the main header with
  // the fields truncated to what they can hold (ASCII only).
  const records = [...pax.keys()].sort().map((k) => paxRecord(k, pax.get(k)!)).join('');
  const [dir, file] = splitPath(h.name);
  let paxName = toASCII(joinPath(dir, 'PaxHeaders.0', file));
  if (paxName.length > NAME_SIZE) paxName = paxName.slice(0, NAME_SIZE);
  paxName = paxName.replace(/\/+$/, '');
  const data = Buffer.from(records, 'latin1');

  const xhdr = Buffer.alloc(BLOCK);
  xhdr[F.typeflag[0]] = TYPE_PAX;
  putString(xhdr, F.name, paxName);
  putOctal(xhdr, F.mode, 0);
  putOctal(xhdr, F.uid, 0);
  putOctal(xhdr, F.gid, 0);
  putOctal(xhdr, F.size, data.length);
  putOctal(xhdr, F.mtime, 0);
  setUSTARFormat(xhdr);

  const main = templateV7Plus({ ...h, name: toASCII(h.name), linkname: toASCII(h.linkname) }, toASCII(h.name));
  setUSTARFormat(main);
  return Buffer.concat([xhdr, data, padding(data.length), main]);
}

function templateV7Plus(h: ScrubbedHeader, name: string): Buffer {
  const blk = Buffer.alloc(BLOCK);
  blk[F.typeflag[0]] = h.typeflag;
  putString(blk, F.name, name);
  putString(blk, F.linkname, h.linkname);
  putOctal(blk, F.mode, h.mode);
  putOctal(blk, F.uid, 0);
  putOctal(blk, F.gid, 0);
  putOctal(blk, F.size, fitsInOctal(12, h.size) ? h.size : 0);
  putOctal(blk, F.mtime, 0);
  putString(blk, F.uname, '');
  putString(blk, F.gname, '');
  putOctal(blk, F.devmajor, 0);
  putOctal(blk, F.devminor, 0);
  return blk;
}

// USTAR magic and version (PAX uses the same), then the checksum: the byte sum with the checksum
// field counted as spaces, six octal digits, NUL, space.
function setUSTARFormat(blk: Buffer): void {
  blk.write('ustar\0', F.magic[0], 'latin1');
  blk.write('00', F.version[0], 'latin1');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= F.chksum[0] && i < F.chksum[0] + F.chksum[1] ? 0x20 : blk[i]!;
  putOctal(blk, [F.chksum[0], 7], sum);
  blk[F.chksum[0] + 7] = 0x20;
}

// formatString: copy, NUL-terminate when there is room; a truncated value never ends in "/"
function putString(blk: Buffer, [off, size]: readonly [number, number], s: string): void {
  const bytes = Buffer.from(s.length > size ? s.slice(0, size) : s, 'latin1');
  bytes.copy(blk, off);
  if (s.length < size) blk[off + s.length] = 0;
  if (s.length > size && blk[off + size - 1] === 0x2f) {
    const n = s.slice(0, size - 1).replace(/\/+$/, '').length;
    blk[off + n] = 0;
  }
}

// formatOctal: zero-padded octal leaving room for a NUL
function putOctal(blk: Buffer, field: readonly [number, number], x: number): void {
  let s = x.toString(8);
  const n = field[1] - s.length - 1;
  if (n > 0) s = '0'.repeat(n) + s;
  putString(blk, field, s);
}

function fitsInOctal(n: number, x: number): boolean {
  return x >= 0 && (n >= 22 || x < 2 ** ((n - 1) * 3));
}

function isASCII(s: string): boolean {
  return !/[^\x01-\x7f]/.test(s);
}

/** Drops what is not ASCII (Go drops whole runes; every byte of a multi-byte one is >= 0x80). */
function toASCII(s: string): string {
  return s.replace(/[^\x01-\x7f]/g, '');
}

/** splitUSTARPath: [prefix, name] when a long ASCII name splits at a "/" into 155 + 100. */
function splitUSTARPath(name: string): [string, string] | null {
  let length = name.length;
  if (length <= NAME_SIZE || !isASCII(name)) return null;
  if (length > PREFIX_SIZE + 1) length = PREFIX_SIZE + 1;
  else if (name[length - 1] === '/') length--;
  const i = name.lastIndexOf('/', length - 1);
  const nlen = name.length - i - 1;
  const plen = i;
  if (i <= 0 || nlen > NAME_SIZE || nlen === 0 || plen > PREFIX_SIZE) return null;
  return [name.slice(0, i), name.slice(i + 1)];
}

/** "%d key=value\n" where %d counts the whole record, itself included. */
function paxRecord(k: string, v: string): string {
  const body = ` ${k}=${v}\n`;
  let size = body.length + String(body.length).length;
  if (String(size).length + body.length !== size) size = String(size).length + body.length;
  return `${size}${body}`;
}

// Go's path.Split and path.Join for the PAX header name
function splitPath(p: string): [string, string] {
  const i = p.lastIndexOf('/');
  return [p.slice(0, i + 1), p.slice(i + 1)];
}

function joinPath(...parts: string[]): string {
  const joined = parts.filter((p) => p !== '').join('/');
  if (joined === '') return '';
  const out: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  const s = out.join('/');
  return joined.startsWith('/') ? '/' + s : s === '' ? '.' : s;
}
