import type { Package } from '../client/types.js';
import { escapeControls } from '../api/text.js';

/**
 * A package a step pushed, as the `packages` output lists it and later steps take it: the
 * permanent id plus what a person needs to recognise it.
 */
export interface PushedPackage {
  /** The package's permanent identifier in its repository. */
  slug_perm: string;
  name: string;
  version: string;
  format: string;
  filename: string;
  /** Where a person (or the API) can look at the package. */
  url: string;
}

/** The {@link PushedPackage} view of a package the repository returned. */
export function toPushedPackage(pkg: Package): PushedPackage {
  return {
    slug_perm: pkg.slug_perm,
    name: pkg.name,
    version: pkg.version ?? '',
    format: pkg.format,
    filename: pkg.filename,
    url: packageUrl(pkg),
  };
}

/** The best link to a package: its web page when the repository has one, else its API URL. */
export function packageUrl(pkg: Pick<Package, 'self_html_url' | 'self_webapp_url' | 'self_url'>): string {
  return pkg.self_html_url || pkg.self_webapp_url || pkg.self_url;
}

/**
 * `name version` (or just the name), for log lines; control characters show as `\u{…}`, so a
 * hostile name can neither colour a terminal nor start a workflow command on a line of its own.
 */
export function describePushed(pkg: Pick<PushedPackage, 'name' | 'version'>): string {
  return escapeControls(pkg.version ? `${pkg.name} ${pkg.version}` : pkg.name);
}
