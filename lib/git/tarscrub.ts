// The scrubbed context tar (spec §4.6.2): pkg/tarscrub.WriteTar over a gitfs.Sub of the commit.
// A depth-first walk (fs.WalkDir: the entries of each directory sorted by byte-wise name, the
// root itself left out), one member per entry with only type, name, linkname, size and mode,
// and no end-of-archive blocks (the reference flushes its tar writer instead of closing it).
// Produced as a stream of chunks so a checksum never needs the whole tar in memory.
import { type GitFs, type GitFsNode, MODE_DIR, MODE_EXECUTABLE, MODE_REGULAR, MODE_SUBMODULE, MODE_SYMLINK } from './gitfs.js';
import { TYPE_DIR, TYPE_REG, TYPE_SYMLINK, encodeHeader, padding } from './tarheader.js';

function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

export async function* scrubbedTarChunks(fs: GitFs, dir: string): AsyncGenerator<Buffer> {
  const top = await fs.sub(dir);
  yield* walk(fs, top, '');
}

async function* walk(fs: GitFs, dirNode: GitFsNode, prefix: string): AsyncGenerator<Buffer> {
  if (dirNode.entries === null) return; // a submodule: an empty directory
  const entries = [...dirNode.entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    const fi = await fs.statEntry(dirNode, entry.name, entry, false);
    switch (fi.mode) {
      case MODE_DIR:
      case MODE_SUBMODULE:
        yield encodeHeader({ typeflag: TYPE_DIR, name: path + '/', linkname: '', size: 0, mode: 0o775 });
        yield* walk(fs, fi, path);
        break;
      case MODE_SYMLINK: {
        const target = (await fs.blob(fi)).toString('latin1');
        yield encodeHeader({ typeflag: TYPE_SYMLINK, name: path, linkname: target, size: 0, mode: 0o777 });
        // with an empty target, tarscrub takes the member for a file and opens it, which
        // gitfs refuses (after the header went out)
        if (target === '') await fs.resolveLink(fi).catch((err: Error) => { throw new Error(`open ${utf8(path)}: ${err.message}`); });
        break;
      }
      case MODE_REGULAR:
      case MODE_EXECUTABLE: {
        const data = await fs.blob(fi);
        const mode = fi.mode === MODE_EXECUTABLE ? 0o775 : 0o664;
        yield encodeHeader({ typeflag: TYPE_REG, name: path, linkname: '', size: data.length, mode });
        yield data;
        yield padding(data.length);
        break;
      }
      default:
        // go-git maps any other mode (e.g. the old 100664) to an irregular file, which
        // tar.FileInfoHeader refuses
        throw new Error('archive/tar: unknown file mode ?---------');
    }
  }
}
