# Pages of the source interface. English is the source of truth.
# Keep sentences short and plain: readers may be frightened, tired, or
# reading in their second language.

site-name = Amanat
skip-to-content = Chuyển đến nội dung chính
language-menu = Ngôn ngữ

## Home page
index-title = Báo cáo hành vi trả thù một cách an toàn
index-intro = Dịch vụ này giúp bạn báo cáo các hành vi đe dọa, tấn công hoặc trả thù khác nhắm vào bạn hoặc người khác vì hoạt động nhân quyền, kể cả vì đã liên hệ với Liên Hợp Quốc.
index-encrypted = Những gì bạn gửi được mã hóa ngay lập tức. Chỉ một nhóm nhỏ người xem xét đáng tin cậy có thể đọc được. Chúng tôi không ghi lại địa chỉ hay thiết bị của bạn.
index-safety-title = Giữ an toàn
index-safety-tor = Hãy dùng Tor Browser và đặt mức bảo mật của trình duyệt này là “An toàn nhất”. Trang web này hoạt động đầy đủ mà không cần JavaScript.
index-safety-device = Nếu có người có thể kiểm tra điện thoại hoặc máy tính của bạn, hãy dùng một thiết bị mà họ không thể tiếp cận, và đóng trình duyệt khi bạn xong việc.
index-safety-names = Bạn không bắt buộc phải cho biết tên. Bạn sẽ tự chọn ở trang tiếp theo.
index-start = Bắt đầu báo cáo
index-followup = Tôi đã gửi báo cáo rồi

## Step 1: anonymity
report-title = Báo cáo của bạn
report-step1-intro = Trước tiên, hãy chọn cách chúng tôi xử lý danh tính của bạn. Bạn có thể đọc từng lựa chọn một cách thong thả.
report-continue = Tiếp tục
report-change-anonymity = Thay đổi lựa chọn này
report-chosen-anonymity = Lựa chọn của bạn: { $choice }

## The form
report-intro = Các câu hỏi có ghi “bắt buộc” cần được trả lời. Mọi câu khác đều không bắt buộc.
report-required = bắt buộc
report-section-report = Về sự việc đã xảy ra
report-section-identity = Về bạn
report-section-identity-help = Tất cả đều không bắt buộc. Chỉ những người xem xét được phép xem danh tính mới đọc được phần này.
report-section-consent = Chúng tôi được làm gì với báo cáo của bạn?
report-section-consent-help = Mỗi câu trả lời là riêng biệt. Nếu bạn không trả lời, câu trả lời được coi là “Không”. Bạn có thể đổi ý sau.
report-select-placeholder = Chọn một mục
report-month-unknown = Không rõ tháng
report-day-unknown = Không rõ ngày
report-warning = Hãy cẩn thận
report-submit = Gửi báo cáo một cách an toàn
report-submit-help = Báo cáo của bạn được mã hóa trước khi lưu.
report-errors-title = { $count ->
   *[other] Vui lòng kiểm tra { $count } câu trả lời
}
report-errors-intro = Chưa có gì được gửi đi. Các câu trả lời của bạn vẫn được giữ ở bên dưới.

## Field errors
error-required = Câu hỏi này cần được trả lời.
error-invalid-choice = Vui lòng chọn một trong các lựa chọn được hiển thị.
error-too-long = Câu trả lời này quá dài: tối đa { $max } ký tự.
error-invalid-year = Vui lòng nhập một năm trong khoảng từ { $min } đến { $max }.
error-invalid-date = Ngày này không tồn tại. Vui lòng kiểm tra lại ngày và tháng.
error-day-without-month = Vui lòng nhập cả tháng, không chỉ ngày.
error-identity-anonymous = Bạn đã chọn ẩn danh, vì vậy chúng tôi không thể nhận tên hoặc thông tin liên lạc. Không có gì được lưu.
error-not-allowed = Câu trả lời này chỉ có thể chọn khi bạn có lựa chọn khác về danh tính.
error-control-chars = Câu trả lời này có ký tự không thể lưu được. Vui lòng xóa chúng.

## Confirmation
confirm-title = Chúng tôi đã nhận được báo cáo của bạn
confirm-body = Báo cáo của bạn đã được mã hóa và lưu lại. Một người xem xét sẽ đọc báo cáo.
confirm-next = Khi xong việc, hãy đóng cửa sổ trình duyệt này. Nếu có người có thể kiểm tra thiết bị này, hãy xóa lịch sử duyệt web.

## Error pages
error-title = Đã xảy ra sự cố
error-back = Quay lại từ đầu
error-bad-request = Không thể đọc biểu mẫu: { $detail }. Không có gì được lưu. Vui lòng quay lại và thử lại.
error-bad-request-detail-encoding = văn bản không ở định dạng có thể đọc được
error-bad-request-detail-form = dữ liệu biểu mẫu bị thiếu hoặc bị lỗi
error-bad-request-detail-fields = biểu mẫu có các trường không mong đợi hoặc bị lặp lại
error-csrf = Biểu mẫu này đã hết hạn hoặc không được gửi từ trang web này. Không có gì được lưu. Vui lòng mở lại biểu mẫu. Rất tiếc, các câu trả lời của bạn đã không được giữ lại.
error-not-found = Trang này không tồn tại.
error-too-large = Nội dung bạn gửi quá lớn (giới hạn là { $limit }). Không có gì được lưu. Vui lòng rút ngắn văn bản và thử lại.
error-too-many = Hiện có quá nhiều người đang dùng dịch vụ này. Không có gì được lưu. Vui lòng thử lại sau một phút.
error-busy = Máy chủ đang bận. Không có gì được lưu. Vui lòng thử lại sau một phút.
error-stalled = Dữ liệu bạn gửi đã ngừng truyền trước khi hoàn tất, nên không có gì được lưu. Vui lòng kiểm tra kết nối và thử lại.
error-no-reviewers = Dịch vụ này chưa thể nhận báo cáo vì chưa có người xem xét nào được chỉ định để đọc. Không có gì được lưu. Vui lòng thử lại sau.
error-internal = Máy chủ gặp sự cố và không có gì được lưu. Vui lòng thử lại sau.
error-method = Địa chỉ này không chấp nhận loại yêu cầu đó.
error-identity-unavailable = Hiện chưa có người xem xét nào có thể đọc tên và thông tin liên lạc, vì vậy chúng tôi không thể nhận các thông tin này. Vui lòng để trống mục này. Không có gì được lưu.

## Codename (confirmation page)
codename-title = Mật danh của bạn
codename-intro = Mật danh này là cách duy nhất để quay lại, đọc phản hồi và bổ sung thông tin. Mật danh chỉ hiển thị một lần.
codename-advice-write = Hãy ghi ra giấy hoặc học thuộc lòng. Giữ mật danh tránh xa bất kỳ ai có thể khám xét bạn.
codename-advice-device = Đừng lưu mật danh trên điện thoại hoặc máy tính có thể bị lấy mất.
codename-advice-lost = Không ai có thể khôi phục mật danh, kể cả chúng tôi. Nếu bạn làm mất, bạn có thể gửi một báo cáo mới.
codename-followup = Để quay lại sau, hãy chọn “Tôi đã gửi báo cáo rồi” ở trang đầu.

## Follow-up
followup-title = Quay lại báo cáo của bạn
followup-intro = Nhập mật danh của bạn để đọc phản hồi và bổ sung thông tin.
followup-codename-label = Mật danh của bạn
followup-codename-help = Các từ bạn đã nhận được, cách nhau bằng dấu cách. Chữ hoa hay chữ thường đều được.
followup-login = Mở báo cáo của tôi
followup-check-words = Chúng tôi không mở được báo cáo nào với các từ này. Vui lòng kiểm tra các từ và thứ tự của chúng, rồi thử lại.
followup-session-ended = Để bảo đảm an toàn cho bạn, phiên làm việc đã kết thúc. Vui lòng nhập lại mật danh.
followup-busy = Máy chủ đang bận. Vui lòng thử lại sau một phút.
followup-status-title = Trạng thái
followup-status-received = Đã nhận. Một người xem xét sẽ đọc báo cáo.
followup-status-in_review = Đang được xem xét.
followup-status-closed = Đã đóng.
followup-replies-title = Phản hồi
followup-no-replies = Chưa có phản hồi. Vui lòng quay lại sau.
followup-reply-from = Phản hồi nhận ngày { $day }
followup-delete-reply = Xóa phản hồi này
followup-deleted = Phản hồi đã được xóa.
followup-message-title = Bổ sung thông tin
followup-message-help = Tin nhắn của bạn được mã hóa và thêm vào báo cáo. Bạn sẽ không thể đọc lại tin nhắn ở đây.
followup-message-send = Gửi an toàn
followup-message-sent = Chúng tôi đã nhận được tin nhắn của bạn.
followup-message-empty = Vui lòng viết tin nhắn trước.
followup-message-too-long = Tin nhắn này quá dài: tối đa { $max } ký tự.
followup-logout = Thoát khỏi báo cáo
followup-logged-out = Báo cáo của bạn không còn mở trên thiết bị này. Hãy đóng cả cửa sổ trình duyệt.

## Attachments
attachments-keep-label = Giữ nguyên siêu dữ liệu gốc. Điều này có thể giúp chứng minh tệp là thật, nhưng cũng có thể làm lộ danh tính của bạn.
attachments-limits = Tối đa { $count } tệp, mỗi tệp tối đa { $size }.
files-choose-again = Các tệp của bạn chưa được giữ lại: vui lòng chọn lại trước khi gửi.
confirm-files-title = Các tệp của bạn
file-result-cleaned = Đã xóa: { $removed }.
file-result-nothing-found = Không tìm thấy thông tin nào có thể nhận dạng bạn.
file-result-not-cleanable = Không thể làm sạch loại tệp này; tệp được lưu nguyên như khi gửi.
file-result-kept-original = Đã lưu nguyên như khi gửi, theo yêu cầu của bạn.
removed-location = vị trí
removed-camera = máy ảnh
removed-author = tác giả
removed-software = phần mềm
removed-dates = ngày tháng
removed-comments = ghi chú
removed-thumbnail = ảnh xem trước
removed-identifiers = mã nhận dạng tài liệu
removed-other = chi tiết khác
error-too-many-files = Quá nhiều tệp: bạn chỉ có thể gửi tối đa { $limit } tệp. Không có gì được lưu.
error-file-too-large = Tệp { $name } quá lớn (giới hạn là { $limit }). Không có gì được lưu.
error-submission-too-large = Tổng dung lượng các tệp quá lớn (giới hạn là { $limit }). Không có gì được lưu.
error-file-cannot-clean = Chúng tôi không thể xóa các thông tin có thể nhận dạng bạn khỏi { $name }: tệp có thể bị hỏng. Không có gì được lưu. Bạn có thể gửi lại và đánh dấu “Giữ nguyên siêu dữ liệu gốc”, hoặc bỏ tệp này ra.
error-file-too-large-to-clean = Tệp { $name } quá lớn để chúng tôi làm sạch (giới hạn cho loại tệp này là { $limit }). Không có gì được lưu. Bạn có thể gửi lại và đánh dấu “Giữ nguyên siêu dữ liệu gốc”, hoặc bỏ tệp này ra.
error-files-not-cleanable = Chúng tôi không thể xóa các thông tin có thể nhận dạng bạn khỏi: { $names }. Không có gì được lưu. Bên dưới, hãy chọn cho từng tệp này: gửi nguyên trạng hoặc bỏ ra.
files-refused-title = Các tệp chúng tôi không thể làm sạch
file-refused-type = không thể xóa các thông tin nhận dạng (như tác giả, thiết bị hoặc địa điểm) khỏi loại tệp này.
file-refused-damaged = tệp này có vẻ bị hỏng, nên không thể xóa các thông tin nhận dạng khỏi tệp.
files-refused-choices = Để gửi một tệp như vậy nguyên trạng, cùng mọi thông tin về bạn mà nó có thể chứa, hãy chọn lại tệp đó ở ô bên dưới. Để bỏ tệp ra, đừng chọn lại.
attachments-as-is-label = Gửi nguyên trạng (giữ siêu dữ liệu gốc)
attachments-as-is-help = Các tệp chọn ở đây được lưu đúng như hiện có, kèm mọi tên, ngày tháng, thiết bị hoặc địa điểm bên trong. Chỉ chọn ở đây tệp có tên ở trên mà bạn vẫn muốn gửi.
files-leave-out-help = Nút này gửi mọi thứ khác, không kèm các tệp có tên ở trên.
files-leave-out = Bỏ tệp ra và gửi
error-low-space = Máy chủ sắp hết dung lượng đĩa, nên không có gì được lưu. Những gì bạn đã viết vẫn còn ở đây: vui lòng thử lại sau.
error-reviewers-changed = Những người đọc báo cáo đã thay đổi trong khi tệp của bạn đang tải lên, nên không có gì được lưu. Vui lòng gửi lại.
followup-withdraw-title = Rút lại sự đồng ý
followup-withdraw-help = Hãy đánh dấu những điều bạn không còn đồng ý. Người xem xét sẽ tôn trọng điều đó từ bây giờ.
followup-withdraw-submit = Rút lại sự đồng ý của tôi
followup-withdraw-done = Việc rút lại sự đồng ý của bạn đã được ghi nhận.
followup-withdraw-none = Vui lòng đánh dấu ít nhất một mục để rút lại.
