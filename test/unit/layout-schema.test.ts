import { LAYOUT_ELEMENT_ORDER, RELATED_LIST_ITEM_ORDER, findOrderProblem } from '../../src/core/layout-schema.js';
import { locate, scanXml } from '../../src/core/xml-scan.js';

describe('findOrderProblem', () => {
  it('accepts the schema order, with repeats where the schema allows them', () => {
    expect(
      findOrderProblem(
        ['excludeButtons', 'layoutSections', 'layoutSections', 'relatedLists', 'relatedLists'],
        LAYOUT_ELEMENT_ORDER
      )
    ).toBeUndefined();
  });

  it('names the first element out of order', () => {
    expect(findOrderProblem(['layoutSections', 'relatedLists', 'miniLayout'], LAYOUT_ELEMENT_ORDER)).toEqual({
      index: 2,
      name: 'miniLayout',
      message: 'miniLayout cannot follow relatedLists',
    });
  });

  it('refuses a repeated single element and an unknown one', () => {
    expect(findOrderProblem(['relatedList', 'sortField', 'sortField'], RELATED_LIST_ITEM_ORDER)?.index).toBe(2);
    expect(findOrderProblem(['fields', 'colour'], RELATED_LIST_ITEM_ORDER)?.message).toBe('unknown element colour');
  });
});

describe('scanXml', () => {
  it('locates elements by offsets into the original text, CRLF and BOM included', () => {
    const text = '\ufeff<?xml version="1.0"?>\r\n<a>\r\n  <b x="1">t&amp;u</b><c/>\r\n</a>';
    const { root } = scanXml(text);
    const [b, c] = root.children;
    expect(text.slice(b.start, b.end)).toBe('<b x="1">t&amp;u</b>');
    expect(text.slice(b.openEnd, b.closeStart)).toBe('t&amp;u');
    expect(b.text).toBe('t&u');
    expect(text.slice(c.start, c.end)).toBe('<c/>');
    expect(text.slice(root.closeStart, root.end)).toBe('</a>');
    expect(locate(text, b.start)).toEqual({ line: 3, column: 2 });
  });
});
