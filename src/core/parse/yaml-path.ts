/** Where a value sits in a YAML document: map keys and list indexes from the root. */
export type YamlPath = ReadonlyArray<string | number>;
