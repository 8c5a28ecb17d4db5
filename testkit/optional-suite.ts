// Suites that need something a fresh clone may not have (nginx-rtmp, redis-server, the emedia
// document in ../shared). Where it is missing the suite says loudly that it did not run, and
// fails when the variable `require` names is 1 — .ci/run sets them after installing what they
// need — rather than passing quietly.
export interface Availability {
  ok: boolean
  reason?: string
}

export function describeRequiring(
  name: string,
  availability: Availability,
  require: string,
  body: () => void,
): void {
  if (availability.ok) return describe(name, body)
  describe(name, () => {
    it(`is NOT RUN here: ${availability.reason}`, () => {
      const reason = availability.reason ?? ''
      console.warn(`${name}: NOT RUN: ${reason}`)
      expect(reason).not.toBe('')
      if (process.env[require] === '1')
        throw new Error(`${require}=1 but this suite cannot run: ${reason}`)
    })
  })
}
