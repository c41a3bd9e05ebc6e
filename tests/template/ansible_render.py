#!/usr/bin/python3
# Render one template file with ansible-core's Templar exactly as the
# template action does (do_template, preserve_trailing_newlines, no
# backslash escaping): the reference side of tests/template/diff.
#   usage: ansible_render.py TEMPLATE VARS.yml
import sys

import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

data = open(sys.argv[1], 'rb').read().decode('utf-8')
variables = yaml.safe_load(open(sys.argv[2])) or {}
templar = Templar(loader=DataLoader(), variables=variables)
try:
    res = templar.do_template(data, preserve_trailing_newlines=True,
                              escape_backslashes=False)
except Exception as e:  # an error on both sides is a match
    print("ERROR: %s" % e)
    sys.exit(1)
sys.stdout.write(res)
