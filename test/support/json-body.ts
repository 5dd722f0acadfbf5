/**
 * A reply's parsed JSON as the tests read it: assertions walk into it by field names, and a wrong
 * path fails the assertion, so the one loose type of the tests lives here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: drilled into by assertions
export type JsonBody = Record<string, any>;
