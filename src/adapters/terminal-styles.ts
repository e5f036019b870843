import pc from 'picocolors';

/** Colour helpers for one output stream: plain when NO_COLOR is set, TERM is dumb, or the stream is not a terminal. */
export function stylesFor(stream: NodeJS.WriteStream): ReturnType<typeof pc.createColors> {
  const env = process.env;
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const enabled = !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb' && (forced || stream.isTTY === true);
  return pc.createColors(enabled);
}

export type Styles = ReturnType<typeof stylesFor>;
