import type { Component } from './types.js';

/** Gathers components from every manifest read, keeping one per ecosystem, name and version. */
export class ComponentCollector {
  private readonly byKey = new Map<string, Component>();
  /** How many manifests were recognised and read, whether or not they named any component. */
  manifests = 0;

  /** Adds what one manifest named. The first location of a component wins; direct=true from any source sticks. */
  addManifest(components: readonly Component[]): void {
    this.manifests += 1;
    for (const component of components) {
      const key = `${component.ecosystem}\0${component.name}\0${component.version}`;
      const existing = this.byKey.get(key);
      if (!existing) this.byKey.set(key, { ...component });
      else if (component.direct !== undefined && existing.direct !== true) existing.direct = component.direct;
    }
  }

  /** The components in the order they were first found. */
  components(): Component[] {
    return [...this.byKey.values()];
  }
}
