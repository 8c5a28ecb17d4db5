// One definition per request method: the schema table (what the server validates) and the
// handler table (what it runs) name the same methods, and the types refuse a mismatch. The
// `@ts-expect-error` lines are the test of the types: `npm run typecheck` fails if any of them
// compiles.
import { type ConferenceService } from '../../server/conference/service'
import { methods, type Handler } from '../../server/conference/methods'
import * as moderation from '../../server/conference/moderation'
import { paramSchemas } from '../../server/signal/schemas'

test('every method the server validates is handled, and nothing else', () => {
  const validated = Object.keys(paramSchemas).filter((m) => m !== 'auth' && m !== 'ping')
  expect(Object.keys(methods).sort()).toEqual(validated.sort())
})

test('a handler of the wrong method, or a misspelled internal event, does not compile', () => {
  // @ts-expect-error grantRole's params and result are not kick's
  const wrong: Handler<'kick'> = moderation.grantRole
  const listen = (service: ConferenceService) => {
    service.on('stream-live', (conf, stream) => [conf.id, stream.id])
    // @ts-expect-error no such event
    service.on('stream-lve', () => undefined)
  }
  expect(typeof wrong).toBe('function')
  expect(typeof listen).toBe('function')
})
