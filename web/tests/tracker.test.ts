import { describe, expect, it } from 'vitest'
import { PlayTracker } from '../src/modules/learning/tracker'

describe('PlayTracker', () => {
  it('counts continuous playback as one interval', () => {
    const p = new PlayTracker()
    for (let t = 0; t <= 3000; t += 250) p.update(t, true)
    expect(p.take()).toEqual([{ start_ms: 0, end_ms: 3000 }])
    expect(p.take()).toEqual([])
  })
  it('does not count a seek, a pause or a jump', () => {
    const p = new PlayTracker()
    p.update(0, true)
    p.update(1000, true)
    p.jump(60000) // seeked far ahead
    p.update(60250, true)
    p.update(60500, false) // paused: nothing counts until it plays on
    p.update(61000, true)
    p.update(90000, true) // the clock jumped
    expect(p.take()).toEqual([{ start_ms: 0, end_ms: 1000 }, { start_ms: 60000, end_ms: 60250 }, { start_ms: 60500, end_ms: 61000 }])
  })
  it('starts a new interval after a take', () => {
    const p = new PlayTracker()
    p.update(0, true)
    p.update(500, true)
    expect(p.take()).toEqual([{ start_ms: 0, end_ms: 500 }])
    p.update(1000, true)
    expect(p.take()).toEqual([{ start_ms: 500, end_ms: 1000 }])
  })
})
