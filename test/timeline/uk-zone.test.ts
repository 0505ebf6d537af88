import { DateTime, IANAZone } from 'luxon';
import { UK_RULE_YEARS, UK_ZONE } from '../../src/timeline/uk-zone';

/**
 * The UK zone's offsets, worked out from the rule, against ICU's time-zone database (luxon's own zone) for
 * every year the rule covers: at 00:00 and 12:00 UTC of every day, and either side of each clock change ICU
 * has. A change to the UK's rule in the database (a new Node with new tz data) fails here.
 */
const icu = IANAZone.create('Europe/London');
const STEP = 12 * 3_600_000;

/** The instants in [from, to) where ICU's offset changes (looked for every 12 hours), found by halving. */
function icuChanges(from: number, to: number): number[] {
  const changes: number[] = [];
  for (let at = from; at < to; at += STEP) {
    if (icu.offset(at) === icu.offset(at + STEP)) continue;
    let [low, high] = [at, at + STEP];
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (icu.offset(middle) === icu.offset(low)) low = middle;
      else high = middle;
    }
    changes.push(high);
  }
  return changes;
}

test.each(
  Array.from({ length: UK_RULE_YEARS.last - UK_RULE_YEARS.first + 1 }, (_, i) => UK_RULE_YEARS.first + i),
)('%i: the same offsets as ICU, and the clocks change at the same instants', (year) => {
  const from = Date.UTC(year, 0, 1);
  const to = Date.UTC(year + 1, 0, 1);
  const differing: string[] = [];
  for (let at = from; at < to; at += STEP) {
    if (UK_ZONE.offset(at) !== icu.offset(at)) differing.push(new Date(at).toISOString());
  }
  expect(differing).toEqual([]);
  const changes = icuChanges(from, to);
  expect(changes).toHaveLength(2);
  for (const change of changes) {
    expect([UK_ZONE.offset(change - 1), UK_ZONE.offset(change)]).toEqual([
      icu.offset(change - 1),
      icu.offset(change),
    ]);
  }
});

test('outside the rule years, and for names, luxon asks ICU', () => {
  for (const iso of [
    '1995-10-22T00:30:00Z',
    '1995-10-22T01:30:00Z',
    '1968-12-01T12:00:00Z',
    '2100-07-01T12:00:00Z',
  ]) {
    const at = Date.parse(iso);
    expect({ iso, offset: UK_ZONE.offset(at) }).toEqual({ iso, offset: icu.offset(at) });
  }
  // 1968-71: British Standard Time, an hour ahead all year; 1995: clocks back on the fourth Sunday of October.
  expect(UK_ZONE.offset(Date.parse('1968-12-01T12:00:00Z'))).toBe(60);
  expect(UK_ZONE.offset(Date.parse('1995-10-22T00:30:00Z'))).toBe(60);
  expect(UK_ZONE.offset(Date.parse('1995-10-22T01:30:00Z'))).toBe(0);
  const summer = DateTime.fromISO('2031-06-01T12:00:00Z').setZone(UK_ZONE);
  expect(summer.toFormat('HH:mm ZZZZ')).toBe(summer.setZone('Europe/London').toFormat('HH:mm ZZZZ'));
  expect(summer.toFormat('HH:mm')).toBe('13:00');
  expect(summer.zoneName).toBe('Europe/London');
  expect(summer.setZone('Europe/London').equals(summer)).toBe(true);
});

test('wall times either side of each clock change, as luxon reads them with ICU', () => {
  // 01:30 on the last Sunday of March does not exist; on the last Sunday of October it happens twice.
  for (const wall of [
    '2030-03-31T00:59',
    '2030-03-31T01:30',
    '2030-03-31T02:00',
    '2030-10-27T00:59',
    '2030-10-27T01:30',
    '2030-10-27T02:00',
  ]) {
    const ours = DateTime.fromISO(wall, { zone: UK_ZONE });
    const theirs = DateTime.fromISO(wall, { zone: 'Europe/London' });
    expect({ wall, at: ours.toISO() }).toEqual({ wall, at: theirs.toISO() });
  }
});
