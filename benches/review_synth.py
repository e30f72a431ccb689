#!/usr/bin/env python3
"""Synthetic results for the review page's scale bench: N results made from the seeds' results
(read as JSON Lines on stdin), each with its own document_id, organization, level, year, source
key and a varied set of missing parts, so filters and charts have something to do. Deterministic
(seeded), JSON Lines on stdout."""
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
seeds = [json.loads(line) for line in sys.stdin if line.strip()]
rng = random.Random(15)
places = ["金兰山", "东坝", "青石", "白沙", "临江", "望城", "桃源", "松岭", "河西", "南湖", "北塘", "长乐"]
levels = ["街道", "镇", "乡"]
mandatory = ["measures_achievements", "shortcomings_causes", "first_responsible_duties", "next_year_plans"]
for i in range(n):
    r = json.loads(json.dumps(seeds[i % len(seeds)]))
    place = f"{rng.choice(places)}{i // 37}"
    level = rng.choice(levels)
    year = rng.choice([2019, 2020, 2021, 2022, 2023, 2024])
    org = f"{place}{level}"
    r["document_id"] = f"sha256:{i:064x}"
    r["source"]["key"] = f"uploads/{year + 1}/{org}-{i}.txt"
    r["metadata"]["title"] = f"{org}{year}年法治政府建设工作情况报告"
    r["metadata"]["issuing_organization"]["normalized"] = org
    r["metadata"]["admin_level"] = level
    r["metadata"]["report_year"] = year
    missing = [p for p in mandatory if rng.random() < 0.12]
    r["compliance"]["missing_required_parts"] = missing
    r["compliance"]["present_required_parts"] = [p for p in mandatory if p not in missing]
    sys.stdout.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
