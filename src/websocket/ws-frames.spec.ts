import fc from 'fast-check';
import { parseFrame } from './ws-frames.js';

describe('parseFrame', () => {
  it('reads {event, data} JSON text', () => {
    expect(parseFrame('{"event":"whoami"}')).toEqual({
      ok: true,
      event: 'whoami',
      data: undefined,
    });
    expect(parseFrame('{"event":"rename","data":{"id":1}}')).toEqual({
      ok: true,
      event: 'rename',
      data: { id: 1 },
    });
  });

  it.each([
    [Buffer.from([1, 2]), /Binary frames/],
    ['not json', /must be JSON text/],
    ['[]', /must be a JSON object/],
    ['null', /must be a JSON object/],
    ['{"event":3}', /"event" must be a string/],
    [`{"event":"${'e'.repeat(129)}"}`, /"event" must be a string/],
  ])('refuses %j with a reason', (frame, message) => {
    const parsed = parseFrame(frame);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(message);
  });

  it('never throws on any text', () => {
    fc.assert(fc.property(fc.string(), (text) => void parseFrame(text)));
  });
});
