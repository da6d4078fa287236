import { setTimeout as sleep } from 'node:timers/promises';
import { defineScenario } from 'interleave';
import { AutoSave, SafeAutoSave } from './src/autosave.js';

/**
 * A user types "a", "ab", "abc" 200 ms apart, then "abcd" 100 ms later, and closes the tab.
 * The save is a controlled call (`t.io`): the server answers when the strategy picks it, so a
 * save may be in flight while the user types. Time is virtual (on with `t.io`): each timer
 * firing is a step too, and the scenario's own sleeps move the same clock.
 */
export default defineScenario({
  name: 'autosave',
  description: 'a debounced autosave (setTimeout, Date.now maxWait) while the user keeps typing',
  variants: {
    buggy: { expect: 'assertion', description: 'AutoSave: clears the draft after the save resolves, dropping edits made meanwhile' },
    fixed: { expect: 'pass', description: 'SafeAutoSave: takes the draft before saving, saves in order' },
  },
  async run(t) {
    let server = '';
    const save = t.io('save', async (text: string) => {
      server = text;
    });
    const options = { waitMs: 300, maxWaitMs: 350 };
    const editor = t.variant === 'buggy' ? new AutoSave(save, options) : new SafeAutoSave(save, options);
    editor.edit('a');
    await sleep(200);
    editor.edit('ab');
    await sleep(200);
    editor.edit('abc'); // pending for 400 ms >= maxWait: saved at once
    await sleep(100);
    editor.edit('abcd');
    await editor.idle();
    t.assert(server === 'abcd', `the server kept "${server}" after the user typed "abcd"`);
  },
});
