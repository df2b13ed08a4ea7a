// bashbrew architecture names and their OCI platforms (spec: manifest-format.md §10).

export interface OCIPlatformFields {
  OS: string;
  Architecture: string;
  Variant: string;
}

/** An OCI platform as templates see it: `.OS .Architecture .Variant`, printed as `os/arch[/variant]`. */
export class OCIPlatform implements OCIPlatformFields {
  constructor(readonly OS: string, readonly Architecture: string, readonly Variant: string = '') {}

  String(): string {
    return [this.OS, this.Architecture, this.Variant].filter((p) => p !== '').join('/');
  }

  /** Same OS, architecture and variant (OS version and features ignored). */
  Is(other: OCIPlatformFields): boolean {
    return this.OS === other.OS && this.Architecture === other.Architecture && this.Variant === other.Variant;
  }

  toJSON(): Record<string, string> {
    const out: Record<string, string> = { architecture: this.Architecture, os: this.OS };
    if (this.Variant) out.variant = this.Variant;
    return out;
  }
}

export const SUPPORTED_ARCHES: ReadonlyMap<string, OCIPlatform> = new Map([
  ['amd64', new OCIPlatform('linux', 'amd64')],
  ['arm32v5', new OCIPlatform('linux', 'arm', 'v5')],
  ['arm32v6', new OCIPlatform('linux', 'arm', 'v6')],
  ['arm32v7', new OCIPlatform('linux', 'arm', 'v7')],
  ['arm64v8', new OCIPlatform('linux', 'arm64', 'v8')],
  ['i386', new OCIPlatform('linux', '386')],
  ['mips64le', new OCIPlatform('linux', 'mips64le')],
  ['ppc64le', new OCIPlatform('linux', 'ppc64le')],
  ['riscv64', new OCIPlatform('linux', 'riscv64')],
  ['s390x', new OCIPlatform('linux', 's390x')],
  ['windows-amd64', new OCIPlatform('windows', 'amd64')],
]);

export const DEFAULT_ARCHITECTURE = 'amd64';

export function isSupportedArch(arch: string): boolean {
  return SUPPORTED_ARCHES.has(arch);
}
