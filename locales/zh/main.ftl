# Pages of the source interface. English is the source of truth.
# Keep sentences short and plain: readers may be frightened, tired, or
# reading in their second language.

site-name = Amanat
skip-to-content = 跳到主要内容
language-menu = 语言

## Home page
index-title = 安全地报告报复行为
index-intro = 您可以通过本服务报告因从事人权工作（包括与联合国接触）而针对您或他人的威胁、攻击或其他报复行为。
index-encrypted = 您发送的内容会立即加密。只有一个由可信审核人员组成的小团队能够阅读。我们不记录您的地址或设备信息。
index-safety-title = 注意安全
index-safety-tor = 请使用 Tor Browser，并将其安全级别设为“最安全”。本网站在不启用 JavaScript 的情况下也能完整使用。
index-safety-device = 如果有人可能检查您的手机或电脑，请使用他们无法接触到的设备，并在完成后关闭浏览器。
index-safety-names = 您不必提供姓名。您可以在下一页自行选择。
index-start = 开始报告
index-followup = 我已经提交过报告

## Step 1: anonymity
report-title = 您的报告
report-step1-intro = 首先，请选择我们如何处理您的身份信息。您可以慢慢阅读每个选项。
report-continue = 继续
report-change-anonymity = 更改此选择
report-chosen-anonymity = 您的选择：{ $choice }

## The form
report-intro = 标有“必填”的问题需要回答。其他问题均为选填。
report-required = 必填
report-section-report = 关于发生的事情
report-section-identity = 关于您
report-section-identity-help = 全部为选填。只有获准查看身份信息的审核人员才能阅读这部分内容。
report-section-consent = 我们可以如何使用您的报告？
report-section-consent-help = 每个回答都是独立的。如果您不作回答，则视为“否”。您以后可以改变主意。
report-select-placeholder = 请选择一项
report-month-unknown = 月份不详
report-day-unknown = 日期不详
report-warning = 请注意
report-submit = 安全地发送报告
report-submit-help = 您的报告在存储前会被加密。
report-errors-title = { $count ->
   *[other] 请检查 { $count } 个回答
}
report-errors-intro = 尚未发送任何内容。您的回答保留在下方。

## Field errors
error-required = 这个问题需要回答。
error-invalid-choice = 请从显示的选项中选择一项。
error-too-long = 这个回答太长了：最多 { $max } 个字符。
error-invalid-year = 请填写 { $min } 至 { $max } 之间的年份。
error-invalid-date = 这个日期不存在。请检查所填的日和月。
error-day-without-month = 填写日期时，请同时填写月份。
error-identity-anonymous = 您选择了匿名，因此我们不能接受姓名或联系方式。没有存储任何内容。
error-not-allowed = 只有在您对身份作出其他选择时，才能选择这个回答。
error-control-chars = 这个回答包含无法存储的字符。请将其删除。

## Confirmation
confirm-title = 我们已收到您的报告
confirm-body = 您的报告已加密并存储。审核人员将会阅读。
confirm-next = 完成后请关闭此浏览器窗口。如果有人可能检查这台设备，请清除浏览记录。

## Error pages
error-title = 出了点问题
error-back = 返回开始页面
error-bad-request = 无法读取表单：{ $detail }。没有存储任何内容。请返回并重试。
error-bad-request-detail-encoding = 文本格式无法读取
error-bad-request-detail-form = 表单数据不完整或格式错误
error-bad-request-detail-fields = 表单中有意外或重复的字段
error-csrf = 此表单已过期，或并非从本网站发送。没有存储任何内容。请重新打开表单。很抱歉，您的回答未能保留。
error-not-found = 此页面不存在。
error-too-large = 您发送的内容太大（上限为 { $limit }）。没有存储任何内容。请缩短文字后重试。
error-too-many = 目前使用本服务的人太多。没有存储任何内容。请一分钟后重试。
error-busy = 服务器繁忙。没有存储任何内容。请一分钟后重试。
error-stalled = 您发送的内容在完成之前中断了，因此没有存储任何内容。请检查网络连接后重试。
error-no-reviewers = 本服务暂时无法接收报告，因为尚未设置任何审核人员来阅读报告。没有存储任何内容。请稍后再试。
error-internal = 服务器出现问题，没有存储任何内容。请稍后再试。
error-method = 此地址不接受这种类型的请求。
error-identity-unavailable = 目前还没有能够阅读姓名和联系方式的审核人员，因此我们无法接受这些信息。请将此处留空。没有存储任何内容。

## Codename (confirmation page)
codename-title = 您的代号
codename-intro = 这个代号是您日后返回、阅读回复和补充信息的唯一方式。它只显示这一次。
codename-advice-write = 请把它写在纸上，或者背下来。不要让可能搜查您的人找到它。
codename-advice-device = 不要把它保存在可能被人拿走的手机或电脑上。
codename-advice-lost = 任何人都无法找回它，包括我们。如果您遗失了代号，可以重新提交一份报告。
codename-followup = 以后如需返回，请在首页选择“我已经提交过报告”。

## Follow-up
followup-title = 返回您的报告
followup-intro = 请输入您的代号，以阅读回复和补充信息。
followup-codename-label = 您的代号
followup-codename-help = 您收到的那几个英文单词，用空格隔开。不区分大小写。
followup-login = 打开我的报告
followup-check-words = 无法用这些单词打开报告。请检查单词及其顺序，然后重试。
followup-session-ended = 为了您的安全，本次会话已结束。请重新输入您的代号。
followup-busy = 服务器繁忙。请一分钟后重试。
followup-status-title = 状态
followup-status-received = 已收到。审核人员将会阅读。
followup-status-in_review = 正在审核。
followup-status-closed = 已结案。
followup-replies-title = 回复
followup-no-replies = 暂无回复。请稍后再来查看。
followup-reply-from = 收到回复的日期：{ $day }
followup-delete-reply = 删除此回复
followup-deleted = 回复已删除。
followup-message-title = 补充信息
followup-message-help = 您的留言会被加密并添加到您的报告中。之后您无法在这里再次阅读它。
followup-message-send = 安全发送
followup-message-sent = 我们已收到您的留言。
followup-message-empty = 请先填写留言。
followup-message-too-long = 这条留言太长了：最多 { $max } 个字符。
followup-logout = 退出我的报告
followup-logged-out = 您的报告已在此设备上关闭。也请关闭浏览器窗口。

## Attachments
attachments-keep-label = 保留原始元数据。这有助于证明文件是真实的，但也可能暴露您的身份。
attachments-limits = 最多 { $count } 个文件，每个不超过 { $size }。
files-choose-again = 您的文件未被保留：请在发送前重新选择。
confirm-files-title = 您的文件
file-result-cleaned = 已删除：{ $removed }。
file-result-nothing-found = 未发现可识别您身份的信息。
file-result-not-cleanable = 此类文件无法清理，已按原样存储。
file-result-kept-original = 已按您的要求原样存储。
removed-location = 位置
removed-camera = 相机
removed-author = 作者
removed-software = 软件
removed-dates = 日期
removed-comments = 注释
removed-thumbnail = 预览图
removed-identifiers = 文档标识符
removed-other = 其他信息
error-too-many-files = 文件太多：最多只能发送 { $limit } 个。没有存储任何内容。
error-file-too-large = 文件 { $name } 太大（上限为 { $limit }）。没有存储任何内容。
error-submission-too-large = 文件总大小太大（上限为 { $limit }）。没有存储任何内容。
error-file-cannot-clean = 我们无法删除 { $name } 中可识别您身份的信息：文件可能已损坏。没有存储任何内容。您可以勾选“保留原始元数据”后重新发送，或不附上此文件。
error-file-too-large-to-clean = 文件 { $name } 太大，我们无法清理（此类文件的上限为 { $limit }）。没有存储任何内容。您可以勾选“保留原始元数据”后重新发送，或不附上此文件。
error-files-not-cleanable = 我们无法删除以下文件中可识别您身份的信息：{ $names }。没有存储任何内容。请在下方为每个文件选择：按原样发送，或不附上。
files-refused-title = 无法清理的文件
file-refused-type = 此类文件中可识别身份的信息（如作者、设备或地点）无法删除。
file-refused-damaged = 此文件似乎已损坏，因此无法删除其中可识别身份的信息。
files-refused-choices = 如要按原样发送此类文件（包括其中可能含有的关于您的一切信息），请在下面的栏中重新选择它。如不附上，请不要重新选择。
attachments-as-is-label = 按原样发送（保留原始元数据）
attachments-as-is-help = 在此选择的文件将按原样存储，包括其中的任何姓名、日期、设备或地点。请只在此选择上面列出、而您仍想发送的文件。
files-leave-out-help = 此按钮将发送其余所有内容，不含上面列出的文件。
files-leave-out = 不附上并发送
error-low-space = 服务器磁盘空间不足，因此没有存储任何内容。您填写的内容仍在此处：请稍后重试。
error-reviewers-changed = 在您的文件上传期间，阅读报告的人员发生了变化，因此没有存储任何内容。请重新发送。
followup-withdraw-title = 撤回您的同意
followup-withdraw-help = 请勾选您不再同意的事项。审核人员从现在起会遵照执行。
followup-withdraw-submit = 撤回我的同意
followup-withdraw-done = 您的撤回已记录。
followup-withdraw-none = 请至少勾选一项要撤回的内容。
