/**
 * A strict, small XML well-formedness check for the pictures' tests: every tag closed in order, attributes
 * quoted and unique, `&` only in the five predefined or numeric references, no `<` in text or attribute
 * values, no control characters, one root element. It returns the problems instead of throwing, so a test
 * failure lists them. (No XML parser is installed in this workspace; this avoids a dependency for a test.)
 */
export interface XmlCheck {
  problems: string[];
  root: string | undefined;
  /** Every element's attributes, in document order, for assertions about content. */
  elements: { name: string; attrs: Record<string, string> }[];
}

const NAME = /^[A-Za-z_:][\w.:-]*$/;
const ATTR = /\s*([A-Za-z_:][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/y;
const REFERENCE = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

export function checkXml(doc: string): XmlCheck {
  const problems: string[] = [];
  const elements: XmlCheck['elements'] = [];
  const stack: string[] = [];
  let root: string | undefined;
  let rootClosed = false;
  let i = 0;
  const checkText = (s: string, where: string) => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids exactly these characters
    if (/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(s)) problems.push(`control character in ${where}`);
    if (s.replace(REFERENCE, '').includes('&')) problems.push(`bare & in ${where}: ${s.slice(0, 60)}`);
  };
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    const textEnd = lt === -1 ? doc.length : lt;
    const between = doc.slice(i, textEnd);
    checkText(between, 'text');
    if (between.trim() !== '' && stack.length === 0)
      problems.push(`text outside the root element: ${between.trim().slice(0, 40)}`);
    if (lt === -1) break;
    if (doc.startsWith('<!--', lt)) {
      const end = doc.indexOf('-->', lt + 4);
      if (end === -1) return { problems: [...problems, 'unterminated comment'], root, elements };
      i = end + 3;
    } else if (doc.startsWith('<?', lt)) {
      const end = doc.indexOf('?>', lt + 2);
      if (end === -1) return { problems: [...problems, 'unterminated processing instruction'], root, elements };
      i = end + 2;
    } else if (doc.startsWith('<!DOCTYPE', lt)) {
      if (root !== undefined) problems.push('DOCTYPE after the root element');
      const end = doc.indexOf('>', lt);
      i = end + 1;
    } else if (doc.startsWith('</', lt)) {
      const end = doc.indexOf('>', lt);
      const name = doc.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
      if (stack.length === 0) rootClosed = true;
      i = end + 1;
    } else {
      const nameMatch = /^<([^\s/>]+)/.exec(doc.slice(lt, lt + 200));
      const name = nameMatch?.[1] ?? '';
      if (!NAME.test(name)) problems.push(`bad element name '${name}' at ${lt}`);
      if (stack.length === 0) {
        if (root !== undefined || rootClosed) problems.push(`second root element <${name}>`);
        root = name;
      }
      let p = lt + 1 + name.length;
      const attrs: Record<string, string> = {};
      for (;;) {
        ATTR.lastIndex = p;
        const m = ATTR.exec(doc);
        if (!m) break;
        const value = m[3] ?? m[4] ?? '';
        if (m[1]! in attrs) problems.push(`duplicate attribute ${m[1]} on <${name}>`);
        if (value.includes('<')) problems.push(`< in attribute ${m[1]} of <${name}>`);
        checkText(value, `attribute ${m[1]} of <${name}>`);
        attrs[m[1]!] = value;
        p = ATTR.lastIndex;
      }
      const rest = /^\s*(\/?)>/.exec(doc.slice(p, p + 50));
      if (!rest) {
        problems.push(`malformed tag <${name}> at offset ${lt}`);
        return { problems, root, elements };
      }
      elements.push({ name, attrs });
      if (rest[1] !== '/') stack.push(name);
      else if (stack.length === 0) rootClosed = true;
      i = p + rest[0].length;
    }
  }
  if (stack.length > 0) problems.push(`unclosed elements: ${stack.join(' > ')}`);
  if (root === undefined) problems.push('no root element');
  return { problems, root, elements };
}
