"""What a message asks for (诉求类型): a report of a violation, a request to get something done, a hazard, a dispute
between people, or a plea for help. It changes which kind of matter fits the words.

The same problem has matters of several kinds: 农村建房 has a permit (乡村建设规划许可), a penalty (对未经批准建住宅的
处罚) and a duty of inspection. A citizen who asks 想在自家宅基地上翻建，要办什么手续 wants the permit; one who writes
邻居没批就加盖了两层 reports a violation and wants the penalty's handler; 墙裂了好宽的缝，怕塌 is a hazard and wants
an inspection; 两家为了地界吵了好几回 wants mediation; 老人一个人住，生活没着落 wants assistance.

``read(text)`` looks for cues of each kind in the message (words, not a model: they are the same in every county, and
a dispatcher can read why); the kind with the most cues wins, a tie going to the one listed first in ``INTENTS``.
``fits(intent, category, name)`` says whether a matter suits the intent (its 事项类型, or words of its name), or goes
against it; ``api/search.py`` multiplies scores accordingly, and ``who`` shows the intent in its answer.

The cue lists are written from the kinds of wording hotline messages use, by category of problem, never from a
question set (docs/accuracy.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A wish or a question about how (the existing permit rule): 想, 要, 怎么, 去哪, 吗 …
_WISH = re.compile(r"想|要|需要|打算|准备|能不能|能否|可不可以|可以|怎么|怎样|如何|去哪|哪里|哪儿|什么|吗|么")
# A permit word, not negated (没证 reports, 办什么证 asks)
_PERMIT_WORD = re.compile(r"(?<![没未不无])(?:证|批|手续|许可|登记|申请|审批|办理|过户|开业|备案|资格|资质)")
# Means to start something: 想开个诊所, 打算在河上修桥, 准备办个厂
_PLAN = re.compile(r"(?:想|打算|准备|计划)[^,，。;；!！?？]{0,6}?"
                   r"(?:开|办|建|修|盖|跑|砍|挖|卖|搞|经营|成立|设立?|新建|养|种|承包|租)")

# Cues of each kind (regular expressions over the message in search form: half-width, lower case).
_CUES: dict[str, str] = {
    "request": (
        r"办理|怎么办[证照卡]|申请|申领|领取|怎么领|能领|可以领|补办|换证|换领|挂失|过户|开具|开个证明|证明材料|"
        r"要带什么|需要什么材料|什么材料|需要哪些|哪些手续|什么手续|流程|去哪[里儿]?办|在哪[里儿]?办|到哪[里儿]?办|"
        r"报名|预约|咨询|想咨询|能不能办|可以办|怎么报|怎么申|怎么认定|评上|申报|能享受|可以享受|有没有补贴|"
        r"有什么补贴|有什么政策|符合条件"),
    "violation": (
        r"违法|违规|违章|违建|非法|私自|擅自|偷偷|偷排|直排|乱[倒扔排搭建堆停摆贴砍挖丢放收涨]|私搭|乱搭乱建|"
        r"(?<!办)[没无]证|无照|没执照|没有执照|没营业执照|没有证|没办证|不办证|没[批审]|未经批准|没经过批准|没审批|"
        r"(?:没有|没|无|未取得|没取得|没办)[^,，。;；!！?？怎吗]{0,6}(?:许可证|执照|资质|资格证)|"
        r"假冒|假货|卖假|冒充|冒牌|过期|变质|不合格|超标|超载|超限|扰民|盗[窃挖采伐]|偷[了走挖砍伐盗]|诈骗|骗[钱人了]|"
        r"赌博|聚赌|黑作坊|黑诊所|黑车|黑网吧|非法营运|占道|霸占|侵占|排污|焚烧|露天烧|烧垃圾|电鱼|炸鱼|毒鱼|"
        r"拖欠工资|欠薪|克扣|不给工资|不发工资|不签合同|童工|虐待|强买强卖|缺斤少两|短斤少两|哄抬|宰客|乱收费|"
        r"无牌|没牌|不戴头盔|酒驾|醉驾|传销|举报|查处|处罚|罚款|不按规定|违反"),
    "hazard": (
        r"隐患|危险|不安全|安全吗|快[倒塌]|要[倒塌]|倒塌|塌[了陷方]|裂缝|裂了|开裂|漏气|煤气味|燃气味|着火|起火|火灾|"
        r"冒烟|失火|滑坡|泥石流|落石|山体|积水|内涝|被淹|淹了|溺水|没[有]?护栏|井盖|漏电|裸露|松动|摇摇欲坠|危房|险情|"
        r"砸[到伤]|掉下来|坠落|防汛|暴雨|台风|决堤|漫堤|管涌|易燃|爆炸|随时会|出事|出人命|事故"),
    "dispute": (
        r"纠纷|矛盾|吵架|吵[起了]来?|争吵|打架|打起来|扯皮|闹翻|闹矛盾|争执|不讲理|评理|说和|调解|调处|协商不成|"
        r"谈不拢|不认账|赖账|欠钱不还|欠款不还|地界|边界|界址|越界|分家|赡养|抚养费|遗产|离婚|争地|争水|争宅基地|"
        r"两家|双方"),
    "help": (
        r"救助|救济|求助|帮帮|救救|困难户|生活困难|家庭困难|没钱|没有钱|生活不下去|过不下去|活不下去|揭不开锅|"
        r"吃不上饭|没饭吃|看不起病|治不起|上不起学|孤寡|孤儿|留守|流浪|乞讨|走失|没人照顾|无人照料|没人管饭|"
        r"瘫痪|重病|大病|低保|特困|五保|补助|救急|急需用钱|遭灾|受灾|无家可归|没地方住"),
}
_COMPILED = {kind: re.compile(pattern) for kind, pattern in _CUES.items()}


@dataclass(frozen=True)
class Intent:
    kind: str  # one of INTENTS, or "unclear"
    zh: str
    en: str
    cues: tuple[str, ...] = ()  # the words of the message that said so

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "zh": self.zh, "en": self.en, "cues": list(self.cues),
                "favours": list(FAVOURS.get(self.kind, ()))}


# kind → (Chinese, English); the order breaks ties
INTENTS: dict[str, tuple[str, str]] = {
    "request": ("办事：想办成一件事", "a request: wants something done"),
    "help": ("求助：需要救助或帮扶", "a plea for help: needs assistance"),
    "dispute": ("纠纷：人与人之间的矛盾", "a dispute between people"),
    "hazard": ("隐患：有危险或安全问题", "a hazard: something is unsafe"),
    "violation": ("举报：有人违法违规", "a report of a violation"),
}
UNCLEAR = ("未能判断诉求类型", "what is asked is unclear")

ENFORCEMENT = ("行政处罚", "行政检查", "行政强制")
SERVICE = ("行政许可", "行政确认", "行政给付", "公共服务")
# What each intent favours, for a reader (``fits`` decides): categories, and words of a matter's name
FAVOURS: dict[str, tuple[str, ...]] = {
    "violation": ENFORCEMENT,
    "request": SERVICE + ("其他行政权力",),
    "hazard": ("行政检查", "安全", "隐患", "巡查"),
    "dispute": ("调解", "纠纷", "争议", "仲裁", "行政裁决"),
    "help": ("救助", "救济", "帮扶", "困难", "行政给付"),
}
_NAME_FITS = {
    "hazard": re.compile(r"安全|隐患|危险|防治|防范|巡查|排查|防汛|防涝|排涝|防火|消防|抢险|救援|防灾|减灾|地质灾害|应急"),
    "dispute": re.compile(r"调解|纠纷|争议|仲裁|调处|信访|矛盾"),
    "help": re.compile(r"救助|救济|帮扶|困难|低保|特困|供养|补助|补贴|慰问|关爱|养老|残疾"),
}


def read(text: str) -> Intent:
    """The intent of a message (in search form or as typed): the kind with the most cues, or ``unclear``."""
    found: dict[str, list[str]] = {}
    for kind, pattern in _COMPILED.items():
        hits = [m.group(0) for m in pattern.finditer(text)]
        if hits:
            found[kind] = hits
    # asking what permit something needs is a request even without the words above (想开个诊所要办什么证)
    if bool(_WISH.search(text)) and (m := _PERMIT_WORD.search(text)) or (m := _PLAN.search(text)):
        found.setdefault("request", []).append(m.group(0))
    if not found:
        return Intent("unclear", *UNCLEAR)
    order = list(INTENTS)
    kind = max(found, key=lambda k: (len(set(found[k])), -order.index(k)))
    return Intent(kind, *INTENTS[kind], tuple(dict.fromkeys(found[kind])))


def fits(kind: str, category: str, name: str) -> int:
    """+1 when a matter of this category and name suits the intent, -1 when it goes against it, 0 otherwise."""
    if kind == "violation":
        return 1 if category in ENFORCEMENT else -1 if category in SERVICE or category == "其他行政权力" else 0
    if kind == "request":
        return -1 if category in ENFORCEMENT else 1 if category in SERVICE or category == "其他行政权力" else 0
    if kind == "hazard":
        return 1 if category == "行政检查" or _NAME_FITS["hazard"].search(name) else \
            -1 if category in SERVICE else 0
    if kind == "dispute":
        return 1 if category == "行政裁决" or _NAME_FITS["dispute"].search(name) else 0
    if kind == "help":
        return 1 if category == "行政给付" or _NAME_FITS["help"].search(name) else -1 if category in ENFORCEMENT else 0
    return 0


def asks_for_permit(text: str) -> bool:
    """Whether a message asks what permit, approval or registration something needs (要办什么证, 想开个诊所) rather
    than reporting what somebody does (没证就开张了)."""
    return bool(_WISH.search(text)) and bool(_PERMIT_WORD.search(text)) or bool(_PLAN.search(text))


__all__ = ["FAVOURS", "INTENTS", "Intent", "asks_for_permit", "fits", "read"]
