#!/usr/bin/python3
# Render template files with ansible-core's Templar exactly as the template
# action does (do_template, preserve_trailing_newlines, no backslash
# escaping): the reference side of tests/template/diff.  One process for
# all cases (importing ansible takes about a second).
#   usage: ansible_render.py VARS.yml OUTDIR TEMPLATE...
# writes OUTDIR/<basename>.out (the rendering or the error) and
# OUTDIR/<basename>.rc (0 rendered, 1 error).
import os
import sys

import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

variables = yaml.safe_load(open(sys.argv[1])) or {}
outdir = sys.argv[2]
for path in sys.argv[3:]:
    data = open(path, 'rb').read().decode('utf-8')
    templar = Templar(loader=DataLoader(), variables=variables)
    rc = 0
    try:
        res = templar.do_template(data, preserve_trailing_newlines=True,
                                  escape_backslashes=False)
    except Exception as e:  # an error on both sides is a match
        res, rc = "ERROR: %s\n" % e, 1
    base = os.path.join(outdir, os.path.basename(path))
    with open(base + '.out', 'w', encoding='utf-8', newline='') as f:
        f.write(res)
    with open(base + '.rc', 'w') as f:
        f.write("%d\n" % rc)
