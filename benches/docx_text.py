"""python-docx text extraction, the baseline for benches/compare.

Prints every body paragraph's text, then every table cell's text (row by row), one per line:
what a team would write with python-docx to get a Word file's text. Usage: docx_text.py FILE
"""
import sys

import docx


def main(path):
    document = docx.Document(path)
    out = []
    for paragraph in document.paragraphs:
        out.append(paragraph.text)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                out.append(cell.text)
    sys.stdout.write("\n".join(out))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
