/** The part of SARIF 2.1.0 Airlock writes (names as in the OASIS schema). */

/** A plain-text message. */
export interface SarifMessage {
  text: string;
}

/** `reportingDescriptor`: one rule, here one advisory. */
export interface SarifRule {
  id: string;
  name?: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  helpUri?: string;
  help: { text: string; markdown?: string };
  defaultConfiguration: { level: 'error' | 'warning' | 'note' | 'none' };
  properties: { 'security-severity': string; tags: string[]; precision?: string };
}

/** A location in a file. */
export interface SarifLocation {
  physicalLocation: {
    artifactLocation: { uri: string };
    region: { startLine: number };
  };
}

/** One finding. */
export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: 'error' | 'warning' | 'note' | 'none';
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints?: Record<string, string>;
  suppressions?: { kind: 'inSource' | 'external'; justification?: string }[];
  properties?: Record<string, unknown>;
}

/** `notification`: something about the run itself rather than a result (here, an incomplete scan). */
export interface SarifNotification {
  level: 'error' | 'warning' | 'note' | 'none';
  message: SarifMessage;
  descriptor?: { id: string };
}

/** `invocation`: how the run went; `executionSuccessful` is required by the schema. */
export interface SarifInvocation {
  executionSuccessful: boolean;
  toolExecutionNotifications?: SarifNotification[];
}

/** One run of the tool: here, one package. */
export interface SarifRun {
  tool: {
    driver: {
      name: string;
      version?: string;
      semanticVersion?: string;
      informationUri?: string;
      rules: SarifRule[];
    };
  };
  automationDetails?: { id: string };
  invocations?: SarifInvocation[];
  results: SarifResult[];
  properties?: Record<string, unknown>;
}

/** A SARIF log file. */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}
