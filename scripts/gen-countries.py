#!/usr/bin/env python3
"""Regenerates locales/<lang>/countries.ftl from the iso-codes data shipped by
pycountry (names and their translations).

Usage: pip download --no-deps pycountry; unzip the wheel into DIR;
       cd DIR && python3 /path/to/scripts/gen-countries.py /path/to/locales
"""
import gettext, json, os, sys
sys.path.insert(0, '.')
data = json.load(open('pycountry/databases/iso3166-1.json'))['3166-1']
langs = {'en': None, 'ar': 'ar', 'ru': 'ru', 'es': 'es', 'zh': 'zh_CN', 'fr': 'fr', 'fa': 'fa', 'ur': 'ur', 'tg': 'tg', 'vi': 'vi'}
out = sys.argv[1]
for code, loc in langs.items():
    tr = (lambda s: s) if loc is None else gettext.translation('iso3166-1', 'pycountry/locales', [loc]).gettext
    os.makedirs(f'{out}/{code}', exist_ok=True)
    with open(f'{out}/{code}/countries.ftl', 'w') as f:
        f.write('# Country names (ISO 3166-1 alpha-2), generated from the iso-codes project\n')
        f.write('# translations (via pycountry). Regenerate with scripts/gen-countries.py.\n\n')
        for c in sorted(data, key=lambda c: c['alpha_2']):
            name = c.get('common_name') or c['name']
            t = tr(name)
            if t == name and 'common_name' in c:
                t2 = tr(c['name'])
                if t2 != c['name']: t = t2
            t = t.replace('{', '').replace('}', '')
            f.write(f"country-{c['alpha_2']} = {t}\n")
