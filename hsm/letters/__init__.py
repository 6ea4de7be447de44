"""Letters (issue 11): every letter the procedure sends, as an HTML preview and a PDF.

- ``terms``: the kinds of letter, outcome and review codes, delivery methods, and labels;
- ``models``: issued letters (frozen, encrypted PDF bytes with their SHA-256), deliveries,
  and the minimal outcome, sanction and review decision records the letters state;
- ``content``: ONE builder per letter and recipient, the only path to a letter's content;
- ``rendering``: the Jinja template in the recipient's language, to HTML and to PDF/UA
  (WeasyPrint, static files only);
- ``queries``: who reads and who issues which letters on a case, the lists, the download;
- ``operations``: issuing (freezing) a letter, recording its delivery, the outcome records;
- ``forms`` and ``views``: the letters section of a case, under /staff/cases/<id>/letters.
"""
