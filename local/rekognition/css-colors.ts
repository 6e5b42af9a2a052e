/** The CSS named colours (CSS Color Module Level 4) with the simplified colour each is reported under. */

/**
 * Rekognition's SimplifiedColor is "one of 12 simplified color names"; the API reference does not list
 * them. These twelve are the colour families of the CSS named colours (black, white and the greys
 * reported as "grey", as in captured Rekognition responses).
 */
export type SimplifiedColor =
  | 'black'
  | 'white'
  | 'grey'
  | 'red'
  | 'orange'
  | 'yellow'
  | 'green'
  | 'teal'
  | 'blue'
  | 'purple'
  | 'pink'
  | 'brown';

export interface CssColor {
  name: string;
  rgb: readonly [number, number, number];
  simplified: SimplifiedColor;
}

// [name, hex, simplified]. One spelling per colour: Rekognition answers "gray" for #808080 but
// "dimgrey" and "darkslategrey" (captured responses), so the others follow the "grey" spelling too.
const TABLE: readonly [string, string, SimplifiedColor][] = [
  ['black', '000000', 'black'],
  ['dimgrey', '696969', 'grey'],
  ['gray', '808080', 'grey'],
  ['darkgrey', 'a9a9a9', 'grey'],
  ['silver', 'c0c0c0', 'grey'],
  ['lightgrey', 'd3d3d3', 'grey'],
  ['gainsboro', 'dcdcdc', 'grey'],
  ['whitesmoke', 'f5f5f5', 'white'],
  ['white', 'ffffff', 'white'],
  ['snow', 'fffafa', 'white'],
  ['ivory', 'fffff0', 'white'],
  ['floralwhite', 'fffaf0', 'white'],
  ['seashell', 'fff5ee', 'white'],
  ['ghostwhite', 'f8f8ff', 'white'],
  ['mintcream', 'f5fffa', 'white'],
  ['azure', 'f0ffff', 'white'],
  ['aliceblue', 'f0f8ff', 'white'],
  ['honeydew', 'f0fff0', 'white'],
  ['linen', 'faf0e6', 'white'],
  ['oldlace', 'fdf5e6', 'white'],
  ['beige', 'f5f5dc', 'white'],
  ['lavenderblush', 'fff0f5', 'white'],
  ['slategrey', '708090', 'grey'],
  ['lightslategrey', '778899', 'grey'],
  ['darkslategrey', '2f4f4f', 'grey'],
  ['red', 'ff0000', 'red'],
  ['darkred', '8b0000', 'red'],
  ['maroon', '800000', 'red'],
  ['firebrick', 'b22222', 'red'],
  ['crimson', 'dc143c', 'red'],
  ['indianred', 'cd5c5c', 'red'],
  ['lightcoral', 'f08080', 'red'],
  ['salmon', 'fa8072', 'red'],
  ['darksalmon', 'e9967a', 'red'],
  ['lightsalmon', 'ffa07a', 'orange'],
  ['orangered', 'ff4500', 'orange'],
  ['tomato', 'ff6347', 'orange'],
  ['coral', 'ff7f50', 'orange'],
  ['darkorange', 'ff8c00', 'orange'],
  ['orange', 'ffa500', 'orange'],
  ['gold', 'ffd700', 'yellow'],
  ['yellow', 'ffff00', 'yellow'],
  ['lightyellow', 'ffffe0', 'yellow'],
  ['lemonchiffon', 'fffacd', 'yellow'],
  ['lightgoldenrodyellow', 'fafad2', 'yellow'],
  ['papayawhip', 'ffefd5', 'yellow'],
  ['moccasin', 'ffe4b5', 'yellow'],
  ['peachpuff', 'ffdab9', 'orange'],
  ['palegoldenrod', 'eee8aa', 'yellow'],
  ['khaki', 'f0e68c', 'yellow'],
  ['darkkhaki', 'bdb76b', 'yellow'],
  ['cornsilk', 'fff8dc', 'yellow'],
  ['blanchedalmond', 'ffebcd', 'brown'],
  ['bisque', 'ffe4c4', 'brown'],
  ['navajowhite', 'ffdead', 'brown'],
  ['wheat', 'f5deb3', 'brown'],
  ['burlywood', 'deb887', 'brown'],
  ['tan', 'd2b48c', 'brown'],
  ['rosybrown', 'bc8f8f', 'brown'],
  ['sandybrown', 'f4a460', 'brown'],
  ['goldenrod', 'daa520', 'brown'],
  ['darkgoldenrod', 'b8860b', 'brown'],
  ['peru', 'cd853f', 'brown'],
  ['chocolate', 'd2691e', 'brown'],
  ['saddlebrown', '8b4513', 'brown'],
  ['sienna', 'a0522d', 'brown'],
  ['brown', 'a52a2a', 'brown'],
  ['greenyellow', 'adff2f', 'green'],
  ['chartreuse', '7fff00', 'green'],
  ['lawngreen', '7cfc00', 'green'],
  ['lime', '00ff00', 'green'],
  ['limegreen', '32cd32', 'green'],
  ['palegreen', '98fb98', 'green'],
  ['lightgreen', '90ee90', 'green'],
  ['mediumspringgreen', '00fa9a', 'green'],
  ['springgreen', '00ff7f', 'green'],
  ['mediumseagreen', '3cb371', 'green'],
  ['seagreen', '2e8b57', 'green'],
  ['forestgreen', '228b22', 'green'],
  ['green', '008000', 'green'],
  ['darkgreen', '006400', 'green'],
  ['yellowgreen', '9acd32', 'green'],
  ['olivedrab', '6b8e23', 'green'],
  ['olive', '808000', 'green'],
  ['darkolivegreen', '556b2f', 'green'],
  ['mediumaquamarine', '66cdaa', 'green'],
  ['darkseagreen', '8fbc8f', 'green'],
  ['lightseagreen', '20b2aa', 'teal'],
  ['darkcyan', '008b8b', 'teal'],
  ['teal', '008080', 'teal'],
  ['aqua', '00ffff', 'teal'],
  ['lightcyan', 'e0ffff', 'teal'],
  ['paleturquoise', 'afeeee', 'teal'],
  ['aquamarine', '7fffd4', 'teal'],
  ['turquoise', '40e0d0', 'teal'],
  ['mediumturquoise', '48d1cc', 'teal'],
  ['darkturquoise', '00ced1', 'teal'],
  ['cadetblue', '5f9ea0', 'teal'],
  ['steelblue', '4682b4', 'blue'],
  ['lightsteelblue', 'b0c4de', 'blue'],
  ['powderblue', 'b0e0e6', 'blue'],
  ['lightblue', 'add8e6', 'blue'],
  ['skyblue', '87ceeb', 'blue'],
  ['lightskyblue', '87cefa', 'blue'],
  ['deepskyblue', '00bfff', 'blue'],
  ['dodgerblue', '1e90ff', 'blue'],
  ['cornflowerblue', '6495ed', 'blue'],
  ['royalblue', '4169e1', 'blue'],
  ['blue', '0000ff', 'blue'],
  ['mediumblue', '0000cd', 'blue'],
  ['darkblue', '00008b', 'blue'],
  ['navy', '000080', 'blue'],
  ['midnightblue', '191970', 'blue'],
  ['lavender', 'e6e6fa', 'purple'],
  ['thistle', 'd8bfd8', 'purple'],
  ['plum', 'dda0dd', 'purple'],
  ['violet', 'ee82ee', 'purple'],
  ['orchid', 'da70d6', 'purple'],
  ['fuchsia', 'ff00ff', 'purple'],
  ['mediumorchid', 'ba55d3', 'purple'],
  ['mediumpurple', '9370db', 'purple'],
  ['rebeccapurple', '663399', 'purple'],
  ['blueviolet', '8a2be2', 'purple'],
  ['darkviolet', '9400d3', 'purple'],
  ['darkorchid', '9932cc', 'purple'],
  ['darkmagenta', '8b008b', 'purple'],
  ['purple', '800080', 'purple'],
  ['indigo', '4b0082', 'purple'],
  ['slateblue', '6a5acd', 'purple'],
  ['darkslateblue', '483d8b', 'purple'],
  ['mediumslateblue', '7b68ee', 'purple'],
  ['pink', 'ffc0cb', 'pink'],
  ['lightpink', 'ffb6c1', 'pink'],
  ['hotpink', 'ff69b4', 'pink'],
  ['deeppink', 'ff1493', 'pink'],
  ['palevioletred', 'db7093', 'pink'],
  ['mediumvioletred', 'c71585', 'pink'],
  ['mistyrose', 'ffe4e1', 'pink'],
];

export const CSS_COLORS: readonly CssColor[] = TABLE.map(([name, hex, simplified]) => ({
  name,
  rgb: [Number.parseInt(hex.slice(0, 2), 16), Number.parseInt(hex.slice(2, 4), 16), Number.parseInt(hex.slice(4, 6), 16)] as const,
  simplified,
}));

/** The index in CSS_COLORS of the named colour nearest to (r, g, b), by "redmean" weighted distance. */
export function nearestCssColor(r: number, g: number, b: number): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let i = 0; i < CSS_COLORS.length; i++) {
    const [cr, cg, cb] = CSS_COLORS[i]!.rgb;
    // Redmean: a cheap approximation of perceived distance, better than plain RGB for dark and saturated colours.
    const rm = (r + cr) / 2;
    const dr = r - cr;
    const dg = g - cg;
    const db = b - cb;
    const d = (2 + rm / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rm) / 256) * db * db;
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}
