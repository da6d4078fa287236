import { describe, expect, it } from 'vitest';
import { browserSkipLine } from './browser.js';

describe('the browser test without a browser', () => {
  it('says in one line that it skipped, what is missing, and the command that enables it', () => {
    const line = browserSkipLine('/usr/bin/chromium');
    expect(line).toBe('skipped: the HTML report test in headless Chromium: no browser at /usr/bin/chromium; enable it with `apt-get install -y chromium` (or set CHROMIUM=<path>)');
    expect(line).not.toContain('\n');
  });
});
