/** What the promote step did with one package; passed to reports so they can show it. */
export interface PromotionOutcome {
  name: string;
  version: string;
  /**
   * - `promoted`: copied or moved to `destination`;
   * - `unchanged`: it was already there (a re-run), nothing changed;
   * - `not-promoted`: left where it was (the gate failed, or promotion was not asked for);
   * - `quarantined`: quarantined because the gate failed;
   * - `failed`: promotion was attempted and failed.
   */
  status: 'promoted' | 'unchanged' | 'not-promoted' | 'quarantined' | 'failed';
  mode?: 'copy' | 'move';
  destination?: string;
  tags?: string[];
  /** Where the promoted package can be seen. */
  url?: string;
  detail?: string;
}

/** A link a report ends with (the workflow run, the SARIF file, the repository). */
export interface ReportLink {
  label: string;
  url: string;
}

/** What reports show besides the verdict. */
export interface ReportOptions {
  /** Heading of the report, e.g. the step's name. */
  title?: string;
  promotions?: readonly PromotionOutcome[];
  links?: readonly ReportLink[];
  /** Most finding rows a table shows before saying how many more there are. */
  maxFindingRows?: number;
}
