"""Strings of the files screen's upload progress."""

FILES_STRINGS: dict[str, tuple[str, str]] = {
    "files.status.processing": ("processing…", "处理中…"),
    "files.processing_detail": (
        "reading and splitting the file · {seconds} s",
        "正在读取并切分文件 · {seconds} 秒",
    ),
    "files.processing_stopped": (
        "processing stopped unexpectedly; see the server log",
        "处理意外中止；请查看服务器日志",
    ),
    "files.none": ("No files yet: drop documents above", "还没有文件：请在上方拖放文档"),
}
