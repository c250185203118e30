// What the player really played: only continuous playback counts (a seek,
// a pause or a jump of the clock starts a new interval), collected until the
// next report takes them.
export interface Interval {
  start_ms: number
  end_ms: number
}

/** Longest step between two time updates still taken as playing on (browsers send about 4 a second). */
const MAX_STEP_MS = 1500

export class PlayTracker {
  private last: number | null = null
  private open: Interval | null = null
  private pending: Interval[] = []

  /** The media's clock now (`playing`: not paused, not seeking). */
  update(ms: number, playing: boolean) {
    const t = Math.floor(ms)
    if (playing && this.last !== null && t > this.last && t - this.last <= MAX_STEP_MS) {
      if (this.open && this.open.end_ms === this.last) this.open.end_ms = t
      else {
        this.open = { start_ms: this.last, end_ms: t }
        this.pending.push(this.open)
      }
    } else {
      this.open = null
    }
    this.last = t
  }

  /** A seek: the next update starts afresh. */
  jump(ms: number) {
    this.last = Math.floor(ms)
    this.open = null
  }

  /** The intervals since the last take; later updates start new ones. */
  take(): Interval[] {
    const out = this.pending
    this.pending = []
    this.open = null
    return out
  }

  get waiting() {
    return this.pending.length > 0
  }
}
