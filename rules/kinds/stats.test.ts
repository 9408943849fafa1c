import { describe, expect, it } from 'vitest'
import { mad, median, robustScore } from './stats.ts'

describe('median and MAD', () => {
  it.each([
    { xs: [], median: Number.NaN, mad: Number.NaN },
    { xs: [4], median: 4, mad: 0 },
    { xs: [3, 1, 2], median: 2, mad: 1 },
    { xs: [1, 2, 3, 4], median: 2.5, mad: 1 },
    { xs: [2, 2, 2, 2, 9], median: 2, mad: 0 },
    { xs: [1, 1, 2, 2, 4, 6, 9], median: 2, mad: 1 },
  ])('$xs → median $median, MAD $mad', ({ xs, median: m, mad: d }) => {
    expect(median(xs)).toEqual(m)
    expect(mad(xs)).toEqual(d)
  })

  it.each([
    { x: 8, med: 2, mad: 1, score: 6 / 1.4826 },
    { x: 2, med: 2, mad: 1, score: 0 },
    { x: 8, med: 2, mad: 0, score: undefined },
  ])('robustScore($x, $med, $mad)', ({ x, med, mad: d, score }) => {
    expect(robustScore(x, med, d)).toEqual(score)
  })
})
