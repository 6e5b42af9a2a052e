// The library's filters: one URL per set of filters, and one GET /images query (the API takes one of
// label, verdict or status; the others are applied to the rows).
import { apiQuery, filtersFromParams, filtersToParams } from '../../local/console/shared/library-filters';

describe('Module: library-filters', () => {
  it('reads the URL, ignoring what is not a filter value, and writes it back in a fixed order', () => {
    // Act
    const filters = filtersFromParams(new URLSearchParams('to=2026-11-30&status=failed&label=%20Dog%20&min=80&from=yesterday&x=1'));

    // Assess
    expect(filters).toEqual({ label: 'Dog', min: 80, status: 'FAILED', to: '2026-11-30' });
    expect(filtersToParams(filters).toString()).toBe('label=Dog&min=80&status=FAILED&to=2026-11-30');
    expect(filtersToParams({ min: 80 }).toString()).toBe('');
  });

  it('sends the label to the API and applies status and verdict to the rows', () => {
    // Act
    const { params, rest } = apiQuery({ label: 'dog', min: 80, status: 'SUCCEEDED', verdict: 'safe', from: '2026-11-01' }, { limit: 60 });

    // Assess
    expect(params.toString()).toBe('label=dog&minConfidence=80&from=2026-11-01T00%3A00%3A00.000Z&limit=60');
    expect(rest({ status: 'SUCCEEDED', verdict: 'safe' })).toBe(true);
    expect(rest({ status: 'FAILED', verdict: 'safe' })).toBe(false);
    expect(rest({ status: 'SUCCEEDED', verdict: 'explicit' })).toBe(false);
  });

  it('sends the verdict before the status, and a page token as given', () => {
    // Act
    const { params, rest } = apiQuery({ status: 'PARTIAL', verdict: 'explicit', to: '2026-11-30' }, { limit: 60, nextToken: 'abc' });

    // Assess
    expect(params.toString()).toBe('verdict=explicit&to=2026-11-30T23%3A59%3A59.999Z&limit=60&nextToken=abc');
    expect(rest({ status: 'PARTIAL' })).toBe(true);
    expect(rest({ status: 'SUCCEEDED' })).toBe(false);
  });
});
