/**
 * A debounced autosave, as an editor writes it: each edit restarts a `setTimeout`; a draft left
 * unsaved for `maxWaitMs` (measured with `Date.now()`) is saved at once, as lodash's
 * `debounce(..., { maxWait })` does. Nothing here knows about interleave; autosave.scenario.ts
 * hands it a controlled save and runs it on virtual time.
 */
export type Save = (text: string) => Promise<void>;

export interface AutoSaveOptions {
  readonly waitMs: number;
  readonly maxWaitMs: number;
}

export class AutoSave {
  protected draft: string | null = null;
  protected draftSince = 0;
  protected timer: ReturnType<typeof setTimeout> | undefined;
  protected readonly saving = new Set<Promise<void>>();

  constructor(
    protected readonly save: Save,
    protected readonly options: AutoSaveOptions,
  ) {}

  edit(text: string): void {
    if (this.draft === null) this.draftSince = Date.now();
    this.draft = text;
    clearTimeout(this.timer);
    if (Date.now() - this.draftSince >= this.options.maxWaitMs) {
      void this.flush();
      return;
    }
    this.timer = setTimeout(() => void this.flush(), this.options.waitMs);
  }

  /** Resolves once no save is in flight and no timer is pending (a page's beforeunload awaits this). */
  async idle(): Promise<void> {
    while (this.saving.size > 0 || this.draft !== null) {
      if (this.saving.size > 0) await Promise.all(this.saving);
      else await this.flush();
    }
  }

  protected async flush(): Promise<void> {
    clearTimeout(this.timer);
    const text = this.draft;
    if (text === null) return;
    const saved = this.save(text);
    this.saving.add(saved);
    try {
      await saved;
    } finally {
      this.saving.delete(saved);
    }
    // The mistake: an edit typed while the save was in flight is dropped here.
    this.draft = null;
  }
}

/**
 * The fix: take the draft before saving, and chain saves so they reach the server in order
 * (two saves in flight could otherwise land older-last).
 */
export class SafeAutoSave extends AutoSave {
  private last: Promise<void> = Promise.resolve();

  protected override async flush(): Promise<void> {
    clearTimeout(this.timer);
    const text = this.draft;
    if (text === null) return;
    this.draft = null;
    const saved = this.last.then(() => this.save(text));
    this.last = saved.catch(() => undefined);
    this.saving.add(saved);
    try {
      await saved;
    } finally {
      this.saving.delete(saved);
    }
  }
}
