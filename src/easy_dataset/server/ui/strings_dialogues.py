"""Strings of a dialogue's page: its turns, saving one, deleting the last, regenerating."""

DIALOGUE_STRINGS: dict[str, tuple[str, str]] = {
    "dialogue.badge": ("dialogue", "多轮对话"),
    "dialogue.detail_title": ("Dialogue #{id}", "多轮对话 #{id}"),
    "dialogue.roles": ("{user} talks with {assistant}", "{user} 与 {assistant} 对话"),
    "dialogue.scenario": ("Scenario: {scenario}", "情境：{scenario}"),
    "dialogue.role.system": ("System", "系统"),
    "dialogue.role.user": ("User", "用户"),
    "dialogue.role.assistant": ("Assistant", "助手"),
    "dialogue.turn": ("Turn {number}", "第 {number} 轮"),
    "dialogue.reasoning": ("Reasoning", "推理过程"),
    "dialogue.saved": ("Message {number} saved", "消息 {number} 已保存"),
    "dialogue.delete_last": ("Delete last turn", "删除最后一轮"),
    "dialogue.confirm_delete_last": (
        "Delete the last turn (the question and its reply)?",
        "删除最后一轮（提问及其回答）？",
    ),
    "dialogue.deleted_last": ("Last turn deleted", "已删除最后一轮"),
    "dialogue.regenerate": ("Regenerate from here", "从此处重新生成"),
    "dialogue.regenerate_go": ("Regenerate", "重新生成"),
    "dialogue.confirm_regenerate": (
        "Have the model write turn {number} and every turn after it again? The turns it "
        "replaces are kept in the dialogue's history.",
        "让模型重新编写第 {number} 轮及其后的所有轮次？被替换的轮次会保留在该对话的历史记录中。",
    ),
    "dialogue.regenerated": ("Written again from turn {number}", "已从第 {number} 轮起重新生成"),
}
