// Go's time.Time as templates print it (`{{ .ArchGitTime arch . }}`): a commit time in the
// commit's own zone, which go-git records as a nameless fixed zone, so Go prints the offset twice
// ("2020-12-22 12:26:40 +0000 +0000").

export class GoTime {
  constructor(readonly unixSeconds: number, readonly offsetMinutes: number) {}

  String(): string {
    const local = new Date((this.unixSeconds + this.offsetMinutes * 60) * 1000);
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const date = `${p(local.getUTCFullYear(), 4)}-${p(local.getUTCMonth() + 1)}-${p(local.getUTCDate())}`;
    const time = `${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())}`;
    const abs = Math.abs(this.offsetMinutes);
    const zone = `${this.offsetMinutes < 0 ? '-' : '+'}${p(Math.floor(abs / 60))}${p(abs % 60)}`;
    return `${date} ${time} ${zone} ${zone}`;
  }

  /** Unix seconds (Go's t.Unix), e.g. for SOURCE_DATE_EPOCH. */
  Unix(): number {
    return this.unixSeconds;
  }

  toJSON(): string {
    // Go marshals time.Time as RFC 3339
    const local = new Date((this.unixSeconds + this.offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
    if (this.offsetMinutes === 0) return local + 'Z';
    const zone = this.String().slice(-5);
    return `${local}${zone.slice(0, 3)}:${zone.slice(3)}`;
  }
}
