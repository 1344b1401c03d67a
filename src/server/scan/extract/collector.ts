import { formatCount } from './budget.js';
import { type Component, type ScanLimitOutcome, ScanLimitReached } from './types.js';

/** How many of the components past the limit are kept by name, for reports. */
const OVERFLOW_SAMPLE = 1000;

/** What bounds one collector: distinct components kept, and entries read in total. */
export interface CollectorLimits {
  maxComponents: number;
  maxComponentEntries: number;
}

/**
 * Gathers components from every manifest read, keeping one per ecosystem, name and version.
 * Past `maxComponents` distinct components it keeps only a count (and a sample) of the rest, so
 * memory stays bounded; past `maxComponentEntries` entries read it stops the scan.
 */
export class ComponentCollector {
  private readonly byKey = new Map<string, Component>();
  private readonly overflowKeys = new Set<string>();
  private readonly overflowSample: Component[] = [];
  private readonly overflowByEcosystem: Record<string, number> = {};
  private entries = 0;
  /** How many manifests were recognised and read, whether or not they named any component. */
  manifests = 0;

  constructor(
    private readonly limits: CollectorLimits = {
      maxComponents: Number.POSITIVE_INFINITY,
      maxComponentEntries: Number.POSITIVE_INFINITY,
    },
  ) {}

  /** Adds what one manifest named. The first location of a component wins; direct=true from any source sticks. */
  addManifest(components: readonly Component[]): void {
    this.manifests += 1;
    for (const component of components) {
      this.entries += 1;
      if (this.entries > this.limits.maxComponentEntries)
        throw new ScanLimitReached(
          `component entries read (${formatCount(this.limits.maxComponentEntries)})`,
        );
      const key = `${component.ecosystem}\0${component.name}\0${component.version}`;
      const existing = this.byKey.get(key);
      if (existing) {
        if (component.direct !== undefined && existing.direct !== true) existing.direct = component.direct;
      } else if (this.byKey.size < this.limits.maxComponents) {
        this.byKey.set(key, { ...component });
      } else if (!this.overflowKeys.has(key)) {
        this.overflowKeys.add(key);
        this.overflowByEcosystem[component.ecosystem] =
          (this.overflowByEcosystem[component.ecosystem] ?? 0) + 1;
        if (this.overflowSample.length < OVERFLOW_SAMPLE) this.overflowSample.push({ ...component });
      }
    }
  }

  /** The components in the order they were first found. */
  components(): Component[] {
    return [...this.byKey.values()];
  }

  /**
   * The limit that cut the scan short: `stoppedBy` when reading stopped early, else the
   * component limit when components were left out; undefined when nothing was.
   */
  limitOutcome(stoppedBy?: string): ScanLimitOutcome | undefined {
    const overflow = this.overflowKeys.size;
    const reached =
      stoppedBy ??
      (overflow > 0 ? `components per package (${formatCount(this.limits.maxComponents)})` : null);
    if (reached === null) return undefined;
    return {
      reached,
      overflow,
      overflowByEcosystem: { ...this.overflowByEcosystem },
      sample: [...this.overflowSample],
    };
  }
}
