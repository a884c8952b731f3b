"""Generate the demo county 青岚县 (fictional, code 990701) under demo/data/.

The files are written the way real counties publish them, so that the demo exercises every form of the ingest:

- structure/county.yaml          YAML: county, 24 townships, party bodies, 纪委/监委 (合署), 县政府办
- structure/departments.xlsx     机构编制表 of the other county departments and their county-level units
- structure/township_units.xlsx  机构编制表 of the township units (merged 所在乡镇 cells, title row, footnote)
- structure/dispatched.csv       派驻机构 as Excel on Chinese Windows exports them: GBK, CRLF
- lists/…                        duty lists, power lists, the territorial list, delegations, activity; with
                                 ../questions.yaml and ../PLANTED.md (all written by demo_lists.py)

Everything is declared in the tables below; staffing vacancies come from a seeded random generator, so two runs write
byte-identical files. `--check` re-reads the files on disk and checks them for consistency (see `check`).
The duty lists are declared and written in demo_lists.py (`write_lists`, `check_lists`).

    python scripts/make_demo.py [--out DIR] [--check]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import re
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.packaging.core import DocumentProperties
from openpyxl.styles import Alignment, Font
from openpyxl.xml.functions import tostring

ROOT = Path(__file__).resolve().parents[1]
DEMO_DATA = ROOT / "demo" / "data"
FIXED_TIME = dt.datetime(2024, 12, 31, 9, 0, 0)  # stamped into the XLSX so the bytes never change
SEED = 990701

COUNTY = {"code": "990701", "name": "青岚县"}  # in the fictional 青岚市, which is not modelled

# (code suffix, name, kind, tags). Codes list 镇 before 乡, as the statistical tables do.
TOWNSHIPS = [
    ("001", "城关镇", "镇", ["县城驻地", "中心镇", "平原"]),
    ("002", "临江镇", "镇", ["经济发达镇", "中心镇", "沿江"]),
    ("003", "岚溪镇", "镇", ["中心镇", "丘陵"]),
    ("004", "柏溪镇", "镇", ["平原"]),
    ("005", "凤栖镇", "镇", ["丘陵"]),
    ("006", "云渡镇", "镇", ["沿江"]),
    ("007", "雁坪镇", "镇", ["山区"]),
    ("008", "望川镇", "镇", ["平原"]),
    ("009", "汀埠镇", "镇", ["沿江"]),
    ("010", "陶坊镇", "镇", ["丘陵"]),
    ("011", "渔梁镇", "镇", ["沿江"]),
    ("012", "樟湾镇", "镇", ["丘陵"]),
    ("013", "鹤汀镇", "镇", ["平原"]),
    ("014", "岚桥镇", "镇", ["中心镇", "平原"]),
    ("015", "椒园乡", "乡", ["平原"]),
    ("016", "茶岭乡", "乡", ["丘陵"]),
    ("017", "雾岭乡", "乡", ["山区"]),
    ("018", "黄茅乡", "乡", ["山区"]),
    ("019", "岩背乡", "乡", ["山区", "偏远"]),
    ("020", "枫坳乡", "乡", ["山区"]),
    ("021", "苍坞乡", "乡", ["山区"]),
    ("022", "漆园乡", "乡", ["丘陵"]),
    ("023", "栗坪乡", "乡", ["平原"]),
    ("024", "云岫乡", "乡", ["山区"]),
]

# Built on purpose for the audits; README.md "Planted for the audits" explains each one.
NO_ENFORCER_TOWNSHIP = "漆园乡"        # cannot-undertake: its 综合行政执法大队 has staff but 0 certified enforcers
UNDERSTAFFED_TOWNSHIP = "岩背乡"       # understaffed: a third to a half of quota filled in 7 units
IDLE_BODY = "青岚县乡村振兴工作领导小组办公室"  # idle-agency: a 议事协调机构 that no list will name
AMBIGUOUS_SHORT = {"执法大队": {"青岚县城市建设综合执法大队", "青岚县农业综合行政执法大队"}}  # ambiguous-name

# Party bodies, 纪委/监委 and 县政府办: written to county.yaml. `co_located` (合署办公) is our key beyond FORMATS.md.
PARTY_BODIES = [
    {"name": "中共青岚县纪律检查委员会", "short": ["县纪委"], "co_located": ["青岚县监察委员会"],
     "staffing": {"admin_quota": 30, "admin_actual": 28}},
    {"name": "青岚县监察委员会", "short": ["县监委"], "staffing": {"admin_quota": 12, "admin_actual": 11}},
    {"name": "中共青岚县委办公室", "short": ["县委办"], "plaques": ["中共青岚县委保密委员会办公室", "青岚县国家保密局"],
     "staffing": {"admin_quota": 22, "admin_actual": 21},
     "units": [{"name": "青岚县档案馆", "short": ["县档案馆"], "staffing": {"inst_quota": 8, "inst_actual": 7}}]},
    {"name": "中共青岚县委组织部", "short": ["县委组织部", "组织部"], "plaques": ["中共青岚县委老干部局"],
     "staffing": {"admin_quota": 20, "admin_actual": 19}},
    {"name": "中共青岚县委宣传部", "short": ["县委宣传部", "宣传部"], "plaques": ["青岚县新闻出版局", "青岚县电影局"],
     "staffing": {"admin_quota": 11, "admin_actual": 10},
     "units": [{"name": "青岚县融媒体中心", "short": ["县融媒体中心"], "staffing": {"inst_quota": 40, "inst_actual": 36}}]},
    {"name": "中共青岚县委统一战线工作部", "short": ["县委统战部", "统战部"], "plaques": ["青岚县民族宗教事务局"],
     "staffing": {"admin_quota": 9, "admin_actual": 9, "certified_enforcers": 2}},
    {"name": "中共青岚县委政法委员会", "short": ["县委政法委", "政法委"], "staffing": {"admin_quota": 10, "admin_actual": 9}},
    {"name": "中共青岚县委机构编制委员会办公室", "short": ["县委编办", "编办"], "staffing": {"admin_quota": 7, "admin_actual": 6}},
    {"name": "中共青岚县委社会工作部", "short": ["县委社会工作部", "社会工作部"], "staffing": {"admin_quota": 8, "admin_actual": 7}},
    {"name": "青岚县人民政府办公室", "short": ["县政府办"], "plaques": ["青岚县人民政府研究室"],
     "staffing": {"admin_quota": 18, "admin_actual": 17}},
]


def dept(name, short="", plaques="", admin=None, inst=None, law=None, enf=None, kind="党政机构", parent="", note=""):
    """One row of the 县直部门机构编制表, every text exactly as it is written in the sheet (、-separated lists)."""
    return {"单位名称": name, "简称": short, "挂牌名称": plaques, "机构类别": kind, "上级单位": parent,
            "行政": admin, "事业": inst, "政法专项": law, "执法资格人数": enf, "备注": note}


def unit(name, short, parent, inst, enf=None, note=""):
    return dept(name, short, kind="事业单位", parent=parent, inst=inst, enf=enf, note=note)


# Each department row counts only its own staff; its units follow it on their own rows.
DEPARTMENTS = [
    dept("青岚县发展和改革局", "县发改局、发改局", "青岚县粮食和物资储备局", admin=(16, 14), enf=4),
    dept("青岚县教育局", "县教育局、教育局", "青岚县人民政府教育督导室", admin=(18, 17), enf=3),
    dept("青岚县工业和信息化局", "县工信局、工信局", "青岚县科学技术局", admin=(13, 12), enf=2),
    dept("青岚县公安局", "县公安局、公安局", law=(96, 90), enf=86, note="派出所编制另表列示"),
    dept("青岚县民政局", "县民政局、民政局", admin=(11, 10), enf=2),
    dept("青岚县司法局", "县司法局、司法局", admin=(10, 9), law=(4, 4), enf=3, note="司法所编制另表列示"),
    dept("青岚县财政局", "县财政局、财政局", "青岚县国有资产监督管理办公室", admin=(20, 19), enf=2),
    dept("青岚县人力资源和社会保障局", "县人社局、人社局", admin=(14, 13), enf=2),
    unit("青岚县劳动保障监察大队", "县劳动监察大队", "县人社局", inst=(6, 5), enf=5),
    dept("青岚县自然资源和规划局", "县资规局、资规局", admin=(22, 20), enf=6),
    unit("青岚县自然资源执法监察大队", "县资规执法大队", "青岚县自然资源和规划局", inst=(12, 10), enf=9),
    dept("青岚县生态环境局", "县生态环境局、生态环境局", admin=(8, 8), enf=3),
    unit("青岚县生态环境保护综合行政执法大队", "县环境执法大队", "生态环境局", inst=(10, 9), enf=8),
    dept("青岚县住房和城乡建设局", "县住建局、住建局", "青岚县人民防空办公室", admin=(16, 15), enf=4),
    unit("青岚县城市建设综合执法大队", "县城建执法大队、执法大队", "县住建局", inst=(10, 9), enf=7),
    dept("青岚县交通运输局", "县交通运输局、县交通局、交通运输局", admin=(12, 11), enf=2),
    unit("青岚县交通运输综合行政执法大队", "县交通执法大队", "县交通局", inst=(24, 22), enf=20),
    dept("青岚县水利局", "县水利局、水利局", admin=(10, 9), enf=3),
    unit("青岚县水政监察大队", "县水政监察大队", "水利局", inst=(6, 5), enf=5),
    dept("青岚县农业农村局", "县农业农村局、农业农村局", "青岚县乡村振兴局", admin=(20, 18), enf=4),
    unit("青岚县农业综合行政执法大队", "县农业执法大队、执法大队", "农业农村局", inst=(14, 12), enf=11),
    dept(IDLE_BODY, "县乡村振兴办", kind="议事协调机构", parent="青岚县农业农村局",
         note="设在县农业农村局，不单独核定编制"),
    dept("青岚县商务局", "县商务局、商务局", admin=(8, 7), enf=2),
    dept("青岚县文化和广电旅游体育局", "县文广旅体局、文广旅体局", "青岚县文物局", admin=(12, 11), enf=2),
    unit("青岚县文化市场综合行政执法队", "县文化执法队", "县文广旅体局", inst=(8, 7), enf=6),
    dept("青岚县卫生健康局", "县卫健局、卫健局", "青岚县中医药管理局", admin=(14, 13), enf=3),
    unit("青岚县卫生健康综合监督执法队", "县卫生执法队", "县卫健局", inst=(12, 11), enf=10),
    dept("青岚县退役军人事务局", "县退役军人局、退役军人局", admin=(7, 7)),
    dept("青岚县应急管理局（加挂青岚县地震局牌子）", "县应急局、应急局、应急管理局", admin=(11, 10), enf=4),
    unit("青岚县应急管理综合行政执法大队", "县应急执法大队", "县应急局", inst=(10, 8), enf=8),
    dept("青岚县审计局", "县审计局、审计局", admin=(10, 9)),
    dept("青岚县市场监督管理局", "县市场监管局、市场监管局", "青岚县知识产权局", admin=(24, 22), enf=12,
         note="市场监管所编制另表列示"),
    unit("青岚县市场监管综合行政执法队", "县市场监管执法队", "县市场监管局", inst=(16, 15), enf=14),
    dept("青岚县统计局", "县统计局、统计局", admin=(7, 6), enf=2),
    dept("青岚县医疗保障局", "县医保局、医保局", admin=(8, 7), enf=3),
    dept("青岚县林业局", "县林业局、林业局", admin=(12, 11), enf=4),
    unit("青岚县林业综合行政执法大队", "县林业执法大队", "县林业局", inst=(10, 9), enf=8),
    dept("青岚县综合行政执法局(青岚县城市管理局)", "县综合执法局、县城管局、综合执法局", admin=(14, 13), enf=12),
    unit("青岚县市政园林服务中心", "县市政园林中心", "县城管局", inst=(18, 16)),
    dept("青岚县信访局", "县信访局、信访局", admin=(6, 6), note="由县委社会工作部归口管理"),
    dept("青岚县数据资源管理局", "县数据局、数据局", admin=(5, 4)),
]

# Township units. Staffing bases per tier: (班子 admin, 党政办, 经发办, 社事办, 村建办 | 农服, 就业所, 文化, 执法大队 inst).
TOWNSHIP_UNITS = [("党政办公室", "内设机构"), ("经济发展办公室", "内设机构"), ("社会事务办公室", "内设机构"),
                  ("村镇规划建设办公室", "内设机构"), ("农业综合服务中心", "事业单位"), ("就业和社会保障事务所", "事业单位"),
                  ("综合文化服务中心", "事业单位"), ("综合行政执法大队", "事业单位")]
TIER_BASE = {
    "县城驻地": (11, 8, 6, 7, 6, 10, 5, 4, 12),
    "经济发达镇": (11, 9, 8, 6, 7, 8, 5, 4, 14),
    "中心镇": (10, 7, 5, 5, 5, 9, 4, 3, 10),
    "镇": (9, 6, 4, 5, 4, 8, 4, 3, 8),
    "乡": (7, 5, 3, 4, 3, 6, 3, 2, 6),
}
ENFORCERS = {"县城驻地": (7, 7), "经济发达镇": (8, 8), "中心镇": (5, 6), "镇": (3, 5), "乡": (1, 3)}
# Plaque variants, chosen by township position; real townships vary like this.
PLAQUES = {
    "党政办公室": [["党建工作办公室"], ["党建工作办公室", "人大主席团办公室"], [], ["组织人事办公室"]],
    "经济发展办公室": [["财政所"], ["财政所", "统计站"]],
    "社会事务办公室": [["民政办公室", "应急管理办公室"], ["民政办公室", "卫生健康办公室", "应急管理办公室"],
                 ["人口和计划生育办公室", "民政办公室", "应急管理办公室"]],
    "村镇规划建设办公室": [["环境保护办公室"], [], ["生态环境办公室", "交通管理办公室"], ["自然资源和规划办公室"]],
    "农业综合服务中心": [["农产品质量安全监管站", "水利站"], ["畜牧兽医站", "农产品质量安全监管站"]],
    "就业和社会保障事务所": [["退役军人服务管理站"]],
    "综合文化服务中心": [[], ["广播电视站"], ["文化站"]],
}
MOUNTAIN_FARM_PLAQUES = ["农产品质量安全监管站", "林业工作站"]
SHORTS = {"城关镇": {"党政办公室": "党政办", "综合行政执法大队": "综合执法队"},  # 简称: mostly empty, as in real tables
          "临江镇": {"经济发展办公室": "经发办", "综合行政执法大队": "综合执法队"},
          "陶坊镇": {"农业综合服务中心": "农服中心"}, "茶岭乡": {"社会事务办公室": "社事办"}}
# 临江镇 (经济发达镇) has one more unit, declared in county.yaml to show a township-level 合署办公.
EXTRA_TOWNSHIP_UNITS = {"临江镇": [
    {"name": "基层治理综合指挥中心", "short": ["指挥中心"], "kind": "事业单位", "co_located": ["综合行政执法大队"],
     "staffing": {"inst_quota": 4, "inst_actual": 4}}]}

# 派驻机构. Police: (stem in the unit's name, township it is stationed in, 政法专项 quota, actual); all are certified.
# Townships without a 派出所 are covered by a neighbour: 椒园←柏溪, 雾岭←雁坪, 枫坳←岚桥, 苍坞←樟湾, 漆园←陶坊, 栗坪←鹤汀.
POLICE = [("城关", "城关镇", 26, 24), ("城东", "城关镇", 18, 17), ("临江", "临江镇", 22, 21), ("岚溪", "岚溪镇", 14, 13),
          ("柏溪", "柏溪镇", 12, 12), ("凤栖", "凤栖镇", 10, 9), ("云渡", "云渡镇", 10, 10), ("雁坪", "雁坪镇", 11, 10),
          ("望川", "望川镇", 10, 9), ("汀埠", "汀埠镇", 10, 10), ("陶坊", "陶坊镇", 12, 11), ("渔梁", "渔梁镇", 9, 9),
          ("樟湾", "樟湾镇", 10, 9), ("鹤汀", "鹤汀镇", 10, 10), ("岚桥", "岚桥镇", 13, 12), ("茶岭", "茶岭乡", 7, 6),
          ("黄茅", "黄茅乡", 6, 6), ("岩背", "岩背乡", 6, 5), ("云岫", "云岫乡", 6, 5)]
FOREST_POLICE = [("雾岭", "雾岭乡", 6, 5), ("黄茅", "黄茅乡", 5, 5), ("云岫", "云岫乡", 5, 4)]
# 自然资源和规划所, 市场监管所: (township, 行政 quota, actual, certified enforcers); each also serves its neighbours.
LAND_OFFICES = [("城关镇", 6, 6, 3), ("临江镇", 6, 5, 3), ("岚溪镇", 5, 4, 2), ("雁坪镇", 4, 4, 2),
                ("汀埠镇", 4, 3, 2), ("陶坊镇", 4, 4, 2), ("岚桥镇", 5, 4, 2), ("茶岭乡", 3, 3, 1)]
MARKET_OFFICES = [("城关镇", 12, 11, 10), ("临江镇", 10, 10, 9), ("岚溪镇", 8, 7, 6), ("柏溪镇", 6, 6, 5),
                  ("云渡镇", 6, 5, 5), ("望川镇", 6, 6, 5), ("陶坊镇", 7, 6, 6), ("渔梁镇", 5, 5, 4),
                  ("鹤汀镇", 6, 5, 5), ("雾岭乡", 4, 4, 3)]

TOWNSHIP_COLUMNS = ["序号", "单位名称", "简称", "挂牌名称", "机构类别", "上级单位", "所在乡镇",
                    "行政编制", "行政实有", "事业编制", "事业实有", "执法资格人数", "备注"]
DEPARTMENT_COLUMNS = ["序号", "单位名称", "简称", "挂牌名称", "机构类别", "上级单位", "行政编制", "行政实有",
                      "事业编制", "事业实有", "政法专项编制", "政法专项实有", "执法资格人数", "备注"]
DISPATCHED_COLUMNS = ["单位名称", "机构类别", "主管部门", "所在乡镇", "管理方式", "政法专项编制", "政法专项实有",
                      "行政编制", "行政实有", "执法资格人数"]


def tier(kind, tags):
    """The staffing tier of a township: its most specific tag, else 镇 or 乡."""
    return next((t for t in ("县城驻地", "经济发达镇", "中心镇") if t in tags), kind)


def township_rows(rng: random.Random) -> list[dict]:
    """The 9 units of every township, as the 乡镇机构编制表 writes them (216 rows)."""
    rows = []
    for i, (code, tname, kind, tags) in enumerate(TOWNSHIPS):
        base = TIER_BASE[tier(kind, tags)]
        gov = f"{tname}人民政府"
        # Plaque style by code: 0/2 mod 4 use the 挂牌名称 column, 1 half-width brackets, 3 full-width brackets.
        style = int(code) % 4
        lo, hi = ENFORCERS[tier(kind, tags)]
        leaders = (base[0], base[0] - (1 if i % 3 == 2 else 0))  # every third township one leader short
        rows.append({"单位名称": gov, "机构类别": "党政机构", "所在乡镇": tname, "行政": leaders, "备注": "含乡镇领导班子职数"})
        for j, (uname, ukind) in enumerate(TOWNSHIP_UNITS):
            if uname == "综合行政执法大队":
                plaques = [f"青岚县综合行政执法局{tname[:-1]}中队"]
            elif uname == "农业综合服务中心" and "山区" in tags:
                plaques = MOUNTAIN_FARM_PLAQUES
            else:
                plaques = PLAQUES[uname][i % len(PLAQUES[uname])]
            if tname == "临江镇" and uname == "经济发展办公室":
                plaques = ["财政所", "招商服务办公室", "统计站"]
            quota = max(1, base[j + 1] + rng.choice((-1, 0, 0, 1)))
            # realistic vacancies, but never enough to look understaffed: ≤1 below 8 staff, ≤2 from 8 up
            actual = quota - (rng.choice((0, 0, 1, 1, 2)) if quota >= 8 else rng.choice((0, 0, 1)) if quota >= 4 else 0)
            if tname == UNDERSTAFFED_TOWNSHIP and uname != "综合文化服务中心":
                actual = round(quota * 0.4)
            actual = max(1, min(actual, quota))
            row = {"单位名称": uname, "挂牌名称": "、".join(plaques), "机构类别": ukind, "上级单位": gov, "所在乡镇": tname,
                   "简称": SHORTS.get(tname, {}).get(uname, ""), "备注": ""}
            if plaques and style in (1, 3):
                left, right = ("(", ")") if style == 1 else ("（", "）")
                inner = f"加挂{plaques[0]}牌子" if uname == "综合行政执法大队" else "、".join(plaques)
                row["单位名称"], row["挂牌名称"] = f"{uname}{left}{inner}{right}", ""
            row["行政" if ukind == "内设机构" else "事业"] = (quota, actual)
            if uname == "综合行政执法大队":
                enforcers = 0 if tname == NO_ENFORCER_TOWNSHIP else min(actual, rng.randint(lo, hi))
                row["执法资格人数"] = enforcers
                if tname == NO_ENFORCER_TOWNSHIP:
                    row["备注"] = "执法资格考试尚未组织"
            rows.append(row)
    return rows


def dispatched_rows(rng: random.Random) -> list[dict]:
    """派驻机构, grouped by parent department as the 编办 lists them; 主管部门 written in several ways."""
    rows = []
    for stem, town, q, a in POLICE:
        rows.append({"单位名称": f"青岚县公安局{stem}派出所", "主管部门": "县公安局", "所在乡镇": town, "管理方式": "派驻",
                     "政法专项": (q, a), "执法资格人数": a})
    for stem, town, q, a in FOREST_POLICE:
        rows.append({"单位名称": f"青岚县公安局{stem}森林派出所", "主管部门": "青岚县公安局", "所在乡镇": town,
                     "管理方式": "派驻", "政法专项": (q, a), "执法资格人数": a})
    for i, (_, town, kind, tags) in enumerate(TOWNSHIPS):
        q = 4 if tier(kind, tags) in ("县城驻地", "经济发达镇") else 3 if kind == "镇" else 2
        a = 1 if town == UNDERSTAFFED_TOWNSHIP else q - (rng.random() < 0.5 if q >= 4 else 0)
        rows.append({"单位名称": f"青岚县司法局{town[:-1]}司法所", "主管部门": "县司法局" if i % 2 else "青岚县司法局",
                     "所在乡镇": town, "管理方式": "双重管理", "政法专项": (q, a)})
    for town, q, a, enf in LAND_OFFICES:
        rows.append({"单位名称": f"青岚县自然资源和规划局{town[:-1]}自然资源和规划所", "主管部门": "资规局",
                     "所在乡镇": town, "管理方式": "双重管理", "行政": (q, a), "执法资格人数": enf})
    for town, q, a, enf in MARKET_OFFICES:
        rows.append({"单位名称": f"青岚县市场监督管理局{town[:-1]}市场监管所", "主管部门": "县市场监管局",
                     "所在乡镇": town, "管理方式": "派驻", "行政": (q, a), "执法资格人数": enf})
    for row in rows:
        row["机构类别"] = "派驻机构"
    return rows


def flat(row: dict, columns: list[str]) -> list:
    """A row dict with (quota, actual) pairs to the sheet's cell values; numbers stay numbers, blanks are None."""
    out = []
    for col in columns:
        m = re.fullmatch(r"(行政|事业|政法专项)(编制|实有)", col)
        if m:
            pair = row.get(m.group(1))
            out.append(None if pair is None else pair[m.group(2) == "实有"])
        else:
            value = row.get(col)
            out.append(None if value == "" else value)
    return out


# ---------------------------------------------------------------- writers

def save_stable_xlsx(wb: Workbook, path: Path) -> None:
    """Save with fixed document properties and zip timestamps, so the same workbook gives the same bytes."""
    wb.properties = DocumentProperties(creator="中共青岚县委机构编制委员会办公室", lastModifiedBy="quanze make_demo",
                                       created=FIXED_TIME, modified=FIXED_TIME)
    raw = io.BytesIO()
    wb.save(raw)  # openpyxl stamps "modified" with the current time: core.xml is rewritten below
    wb.properties.modified = FIXED_TIME
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = tostring(wb.properties.to_tree()) if info.filename == "docProps/core.xml" else zin.read(info)
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6]), data,
                          compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())


def new_sheet(title: str, sheet: str, columns: list[str]):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws["A1"].font, ws["A1"].alignment = Font(size=14, bold=True), Alignment(horizontal="center")
    ws.column_dimensions["B"].width = 44
    return wb, ws


class FlowMap(dict):
    """A mapping YAML writes on one line, as FORMATS.md writes a township."""


class DemoDumper(yaml.SafeDumper):
    pass


DemoDumper.add_representer(FlowMap, lambda d, m: d.represent_mapping("tag:yaml.org,2002:map", m, flow_style=True))


def write_county_yaml(out: Path, rng: random.Random) -> None:
    doc = {"county": dict(COUNTY),
           "townships": [FlowMap(code=COUNTY["code"] + c, name=n, kind=k, tags=t) for c, n, k, t in TOWNSHIPS],
           "departments": PARTY_BODIES, "township_units": EXTRA_TOWNSHIP_UNITS}
    head = ("# 青岚县（虚构，区划代码990701）机构设置：县、乡镇、党委部门、纪委监委、县政府办。\n"
            "# Demo structure of the fictional 青岚县. Other departments: departments.xlsx; township units:\n"
            "# township_units.xlsx; dispatched units: dispatched.csv. Generated by scripts/make_demo.py.\n"
            "# Key beyond FORMATS.md: co_located (合署办公), a list of names of the same level; symmetric, written once.\n")
    body = yaml.dump(doc, Dumper=DemoDumper, allow_unicode=True, sort_keys=False, default_flow_style=None, width=120)
    (out / "county.yaml").write_text(head + body, encoding="utf-8")


def write_departments_xlsx(out: Path, rng: random.Random) -> None:
    wb, ws = new_sheet("青岚县县直部门机构编制情况表（2024年）", "县直部门", DEPARTMENT_COLUMNS)
    ws.append(["填报单位：中共青岚县委机构编制委员会办公室　　　　单位：名"])
    ws.append(DEPARTMENT_COLUMNS)
    for n, row in enumerate(DEPARTMENTS, 1):
        ws.append(flat({**row, "序号": n}, DEPARTMENT_COLUMNS))
    ws.append(["注：部门编制数不含所属事业单位和派驻机构，所属事业单位单独列示；派驻机构见另表。"])
    save_stable_xlsx(wb, out / "departments.xlsx")


def write_township_units_xlsx(out: Path, rng: random.Random) -> None:
    wb, ws = new_sheet("青岚县乡镇机构编制情况表（2024年）", "乡镇机构", TOWNSHIP_COLUMNS)
    ws.append(TOWNSHIP_COLUMNS)
    town_col = TOWNSHIP_COLUMNS.index("所在乡镇") + 1
    for n, row in enumerate(township_rows(rng), 1):
        ws.append(flat({**row, "序号": n}, TOWNSHIP_COLUMNS))
        if n % 9 == 0:  # 所在乡镇 written once per township and merged down over its 9 rows
            ws.merge_cells(start_row=ws.max_row - 8, start_column=town_col, end_row=ws.max_row, end_column=town_col)
            ws.cell(ws.max_row - 8, town_col).alignment = Alignment(vertical="center")
    ws.append(["注：编制数为2024年12月底核定数。"])
    save_stable_xlsx(wb, out / "township_units.xlsx")


def write_dispatched_csv(out: Path, rng: random.Random) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(DISPATCHED_COLUMNS)
    writer.writerows([["" if v is None else v for v in flat(r, DISPATCHED_COLUMNS)] for r in dispatched_rows(rng)])
    (out / "dispatched.csv").write_bytes(buf.getvalue().encode("gbk"))


def write_structure(data_dir: Path) -> None:
    out = data_dir / "structure"
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)  # one generator, consumed in a fixed order
    write_county_yaml(out, rng)
    write_departments_xlsx(out, rng)
    write_township_units_xlsx(out, rng)
    write_dispatched_csv(out, rng)


def write_lists(data_dir: Path) -> None:
    """The duty lists, delegations and activity (demo/data/lists/), demo/questions.yaml and demo/PLANTED.md:
    declared and written in demo_lists.py, next to this script."""
    lists_module().write_lists(data_dir)


def lists_module():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import demo_lists  # imported here: demo_lists reads this module's tables
    return demo_lists


WRITERS = [write_structure, write_lists]


def generate(data_dir: Path) -> None:
    for writer in WRITERS:
        writer(data_dir)


# ---------------------------------------------------------------- check

BRACKETED = re.compile(r"^(.+?)[(（](.+)[)）]$")


def split_name(written: str) -> tuple[str, list[str]]:
    """`社会事务办公室(民政办公室、应急管理办公室)` → base name and plaques; `X(加挂Y牌子)` → X, [Y]."""
    m = BRACKETED.match(written.strip())
    if not m:
        return written.strip(), []
    inner = re.sub(r"^加挂|牌子$", "", m.group(2))
    return m.group(1), [p for p in re.split(r"[、，,；;\s]+", inner) if p]


def split_list(cell) -> list[str]:
    return [p for p in re.split(r"[、，,；;\s]+", str(cell or "")) if p]


def read_table(path: Path) -> list[dict]:
    """Rows of a one-sheet 机构编制表 below its header, until the footnote; merged 所在乡镇 carried down."""
    ws = load_workbook(path, data_only=True).active
    rows, header, last_town = [], None, None
    for values in ws.iter_rows(values_only=True):
        if header is None:
            header = list(values) if "单位名称" in values else None
            continue
        if not any(v is not None for v in values) or str(values[0] or "").startswith("注"):
            continue
        row = dict(zip(header, values))
        if "所在乡镇" in row:
            row["所在乡镇"] = last_town = row["所在乡镇"] or last_town
        rows.append(row)
    return rows


STAFFING_KEYS = (("行政", "admin"), ("事业", "inst"), ("政法专项", "law"))


def staffing_of(record: dict) -> tuple[dict, int]:
    """(kind → (quota, actual), certified enforcers) from a table row or a YAML `staffing` mapping."""
    if "单位名称" in record:
        pairs = {k: (record.get(f"{k}编制"), record.get(f"{k}实有")) for k in ("行政", "事业", "政法专项")}
        enf = record.get("执法资格人数")
    else:
        st = record.get("staffing", {})
        pairs = {k: (st.get(f"{e}_quota"), st.get(f"{e}_actual")) for k, e in STAFFING_KEYS}
        enf = st.get("certified_enforcers")
    values = [v for pair in pairs.values() for v in pair] + [enf]
    if any(not (v in (None, "") or isinstance(v, int) or str(v).isdigit()) for v in values):
        raise ValueError(f"staffing is not a number in {record}")
    return {k: (int(q or 0), int(a or 0)) for k, (q, a) in pairs.items()}, int(enf or 0)


def read_agencies(out: Path):
    """Every agency of the four files as (scope, name, kind, aliases, parent as written, record)."""
    doc = yaml.safe_load((out / "county.yaml").read_text(encoding="utf-8"))
    tables = {"departments": read_table(out / "departments.xlsx"), "townships": read_table(out / "township_units.xlsx"),
              "dispatched": list(csv.DictReader(io.StringIO((out / "dispatched.csv").read_bytes().decode("gbk"))))}
    agencies = []
    for d in doc["departments"]:
        agencies.append(("county", d["name"], "党政机构", d.get("short", []) + d.get("plaques", []), None, d))
        agencies += [("county", u["name"], "事业单位", u.get("short", []) + u.get("plaques", []), d["name"], u)
                     for u in d.get("units", [])]
    for scope, r in [("county", r) for r in tables["departments"] + tables["dispatched"]] + \
            [(r["所在乡镇"], r) for r in tables["townships"]]:
        base, inner = split_name(r["单位名称"])
        aliases = inner + split_list(r.get("挂牌名称")) + split_list(r.get("简称"))
        agencies.append((scope, base, r["机构类别"], aliases, r.get("上级单位") or r.get("主管部门"), r))
    for town, units in doc.get("township_units", {}).items():
        agencies += [(town, u["name"], u.get("kind"), u.get("short", []) + u.get("plaques", []), None, u)
                     for u in units]
    return doc, tables, agencies


def check(data_dir: Path) -> int:
    """Re-read the files on disk; print counts, warnings and problems; return the number of problems."""
    out, problems, warnings = data_dir / "structure", [], []
    doc, tables, agencies = read_agencies(out)
    towns = {t["name"] for t in doc["townships"]} | {t["code"] for t in doc["townships"]}

    # names: unique within a scope (the county, or one township), except the planted ambiguity
    index, seen = defaultdict(set), defaultdict(int)
    for scope, name, _, aliases, _, _ in agencies:
        seen[scope, name] += 1
        for key in {name, *aliases}:
            index[scope, key].add(name)
    problems += [f"{scope}: full name {name} used {n} times" for (scope, name), n in seen.items() if n > 1]
    for (scope, key), names in sorted(index.items()):
        if len(names) > 1:
            planted = scope == "county" and AMBIGUOUS_SHORT.get(key) == names
            (warnings if planted else problems).append(f"{scope}: {key} names {sorted(names)}"
                                                       + (" (planted: ambiguous-name)" if planted else ""))

    # references: 上级单位/主管部门, co_located and 所在乡镇 all resolve
    for scope, name, _, _, parent, record in agencies:
        if scope != "county" and scope not in towns:
            problems.append(f"{name}: township {scope!r} does not exist")
        for ref in ([parent] if parent else []) + record.get("co_located", []):
            if len(index.get((scope, ref), ())) != 1:
                problems.append(f"{scope}: {name}: {ref!r} does not resolve to one agency")
    problems += [f"{r['单位名称']}: 所在乡镇 {r['所在乡镇']!r} does not exist"
                 for r in tables["dispatched"] if r["所在乡镇"] not in towns]

    # staffing: numbers, actual within quota, enforcers within actual staff
    totals = defaultdict(int)
    for scope, name, _, _, _, record in agencies:
        try:
            pairs, enf = staffing_of(record)
        except ValueError as e:
            problems.append(f"{scope}: {name}: {e}")
            continue
        for k, (q, a) in pairs.items():
            totals[k, 0], totals[k, 1] = totals[k, 0] + q, totals[k, 1] + a
            if a > q:
                warnings.append(f"{scope}: {name}: {k} actual {a} > quota {q}")
            if a < 0.75 * q and record.get("所在乡镇", scope) != UNDERSTAFFED_TOWNSHIP:
                problems.append(f"{scope}: {name}: {k} {a}/{q} looks understaffed but is not the planted township")
        if enf > sum(a for _, a in pairs.values()):
            problems.append(f"{scope}: {name}: {enf} certified enforcers > actual staff")

    problems += [f"{r['单位名称']}: {col} = {v!r} is text, not a number" for t in ("departments", "townships")
                 for r in tables[t] for col, v in r.items()
                 if re.search("编制|实有|人数|序号", str(col)) and not (v is None or isinstance(v, int))]

    # counts and the planted items
    by_town = defaultdict(list)
    for r in tables["townships"]:
        by_town[r["所在乡镇"]].append(r)
    if len(doc["townships"]) != 24 or len(by_town) != 24 or any(len(v) != 9 for v in by_town.values()):
        problems.append(f"expected 24 townships × 9 units, found {len(doc['townships'])} and {len(by_town)}")
    justice = {r["所在乡镇"] for r in tables["dispatched"] if r["单位名称"].endswith("司法所")}
    problems += [f"{t['name']}: no 司法所" for t in doc["townships"] if t["name"] not in justice]
    teams = {r["所在乡镇"]: r for r in tables["townships"] if r["单位名称"].startswith("综合行政执法大队")}
    if [t for t, r in teams.items() if r["执法资格人数"] == 0 and r["事业实有"]] != [NO_ENFORCER_TOWNSHIP]:
        problems.append(f"only {NO_ENFORCER_TOWNSHIP}'s 综合行政执法大队 should have staff but 0 certified enforcers")
    thin = [r for r in by_town[UNDERSTAFFED_TOWNSHIP]
            if (r["行政实有"] or r["事业实有"] or 0) < 0.6 * (r["行政编制"] or r["事业编制"] or 0)]
    if len(thin) < 4:
        problems.append(f"planted understaffed township {UNDERSTAFFED_TOWNSHIP} has only {len(thin)} thin units")
    if not any(a[1] == IDLE_BODY and a[2] == "议事协调机构" for a in agencies):
        problems.append(f"planted idle body {IDLE_BODY} missing")

    # every text is GBK-encodable (the CSV is GBK) and no cell holds a formula
    texts = [str(v) for rows in tables.values() for r in rows for v in r.values() if v is not None]
    texts += re.findall(r"[^\s:\[\]{},]+", (out / "county.yaml").read_text(encoding="utf-8"))
    for t in texts:
        try:
            t.encode("gbk")
        except UnicodeEncodeError:
            problems.append(f"not GBK-encodable: {t!r}")
    for name in ("departments.xlsx", "township_units.xlsx"):
        problems += [f"{name}: formula in {c.coordinate}" for row in load_workbook(out / name).active.iter_rows()
                     for c in row if c.data_type == "f"]

    # the files are what this script writes, byte for byte
    with tempfile.TemporaryDirectory() as tmp:
        write_structure(Path(tmp))
        problems += [f"{f.name} differs from a fresh generation: run scripts/make_demo.py"
                     for f in sorted((Path(tmp) / "structure").iterdir())
                     if not (out / f.name).exists() or (out / f.name).read_bytes() != f.read_bytes()]

    counts = defaultdict(int)
    for scope, _, kind, *_ in agencies:
        counts["county" if scope == "county" else "township", kind] += 1
    plaques = sum(len(split_name(r["单位名称"])[1] + split_list(r.get("挂牌名称"))) if "单位名称" in r
                  else len(r.get("plaques", [])) for *_, r in agencies)
    print(f"townships {len(doc['townships'])}; agencies {len(agencies)}: "
          + ", ".join(f"{s} {k} {n}" for (s, k), n in sorted(counts.items())))
    print(f"plaques {plaques}; staffing quota/actual: " + ", ".join(
        f"{k} {totals[k, 0]}/{totals[k, 1]}" for k, _ in STAFFING_KEYS)
        + f"; all {sum(v for (k, i), v in totals.items() if i == 0)}/{sum(v for (k, i), v in totals.items() if i)}")
    if (data_dir / "lists").exists() or not problems:
        list_problems, info = lists_module().check_lists(data_dir)
        problems += list_problems
        for line in info:
            print(line)
    for w in warnings:
        print("warning:", w)
    for p in problems:
        print("problem:", p)
    return len(problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write (or --check) the demo county 青岚县 under demo/data/.")
    parser.add_argument("--out", type=Path, default=DEMO_DATA, help="data directory (default: demo/data)")
    parser.add_argument("--check", action="store_true", help="check the files on disk instead of writing them")
    args = parser.parse_args(argv)
    if args.check:
        return 1 if check(args.out) else 0
    generate(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
