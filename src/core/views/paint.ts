/** The colour functions a text renderer uses; picocolors' colours fit, and `plainPaint` is the colourless one. */
export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
}

const same = (text: string) => text;

/** Paint that leaves text as it is: for files, JSON neighbours and tests. */
export const plainPaint: Paint = { bold: same, dim: same, red: same, green: same, yellow: same, blue: same, cyan: same, magenta: same };
