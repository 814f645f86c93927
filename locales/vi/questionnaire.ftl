# Labels of the default questionnaire. Ids: q-<field>, q-<field>-help,
# q-<field>-opt-<option>. English is the source of truth for every locale.

q-anonymity = Chúng tôi nên xử lý danh tính của bạn như thế nào?
q-anonymity-help = Bạn có thể tự chọn. Dù bạn chọn gì, báo cáo của bạn cũng được mã hóa trước khi lưu.
q-anonymity-opt-anonymous = Ẩn danh: đừng hỏi tôi là ai. Sẽ không ai biết tên tôi.
q-anonymity-opt-confidential = Bảo mật: tôi có thể cho biết tên và cách liên lạc, nhưng chỉ một vài người xem xét đáng tin cậy được thấy, và thông tin này không bao giờ được chia sẻ.
q-anonymity-opt-consented = Có đồng ý: tôi có thể cho biết tên và cách liên lạc, và tôi có thể cho phép chia sẻ thông tin này với Liên Hợp Quốc.

q-reporter_relationship = Bạn có quan hệ thế nào với người đang gặp nguy hiểm?
q-reporter_relationship-opt-self = Tôi là người đang gặp nguy hiểm
q-reporter_relationship-opt-family = Thành viên gia đình
q-reporter_relationship-opt-colleague = Đồng nghiệp
q-reporter_relationship-opt-organisation = Một tổ chức
q-reporter_relationship-opt-lawyer = Luật sư
q-reporter_relationship-opt-witness = Nhân chứng
q-reporter_relationship-opt-other = Khác

q-victim_type = Ai là người bị nhắm đến?
q-victim_type-help = Chọn tất cả các mục phù hợp.
q-victim_type-opt-defender = Người bảo vệ nhân quyền
q-victim_type-opt-journalist = Nhà báo
q-victim_type-opt-lawyer = Luật sư
q-victim_type-opt-victim_or_witness = Nạn nhân hoặc nhân chứng của một vụ vi phạm
q-victim_type-opt-relative = Người thân của người bảo vệ nhân quyền hoặc của nạn nhân
q-victim_type-opt-ngo = Tổ chức phi chính phủ
q-victim_type-opt-community = Cộng đồng hoặc nhóm
q-victim_type-opt-indigenous_representative = Đại diện của các dân tộc bản địa
q-victim_type-opt-trade_unionist = Thành viên công đoàn
q-victim_type-opt-nhri = Cơ quan nhân quyền quốc gia
q-victim_type-opt-un_staff = Nhân viên Liên Hợp Quốc
q-victim_type-opt-other = Khác

q-country = Việc này xảy ra ở quốc gia nào?

q-locality = Thành phố hoặc khu vực (không bắt buộc)
q-locality-help = Một địa điểm nhỏ có thể làm lộ danh tính của bạn. Nếu không chắc, hãy để trống.

q-incident_date = Việc này xảy ra khi nào? (không bắt buộc)
q-incident_date-help = Chỉ ghi những gì bạn biết: năm, tháng hoặc ngày chính xác.
q-incident_date-year = Năm
q-incident_date-month = Tháng
q-incident_date-day = Ngày
q-incident_date-precision = Bạn chắc chắn về ngày này đến mức nào?
q-incident_date-precision-exact = Chính xác
q-incident_date-precision-estimate = Ước tính
q-incident_date-precision-unknown = Tôi không biết

q-ongoing = Việc này có còn đang tiếp diễn không?
q-ongoing-opt-yes = Có
q-ongoing-opt-no = Không
q-ongoing-opt-unknown = Tôi không biết

q-reprisal_types = Chuyện gì đã xảy ra?
q-reprisal_types-help = Chọn tất cả các mục phù hợp.
q-reprisal_types-opt-threats_harassment = Đe dọa hoặc sách nhiễu
q-reprisal_types-opt-death_threat = Đe dọa giết
q-reprisal_types-opt-smear_campaign = Chiến dịch bôi nhọ
q-reprisal_types-opt-online_harassment = Quấy rối trên mạng
q-reprisal_types-opt-hacking_cyberattack = Xâm nhập trái phép hoặc tấn công mạng
q-reprisal_types-opt-physical_surveillance = Theo dõi trực tiếp (bám theo)
q-reprisal_types-opt-digital_surveillance = Theo dõi kỹ thuật số
q-reprisal_types-opt-travel_ban = Cấm đi lại
q-reprisal_types-opt-judicial_harassment = Sách nhiễu tư pháp hoặc truy tố
q-reprisal_types-opt-arbitrary_detention = Bắt giữ hoặc giam giữ tùy tiện
q-reprisal_types-opt-house_arrest = Quản thúc tại gia
q-reprisal_types-opt-enforced_disappearance = Cưỡng bức mất tích
q-reprisal_types-opt-torture_ill_treatment = Tra tấn hoặc ngược đãi
q-reprisal_types-opt-physical_attack = Tấn công thân thể
q-reprisal_types-opt-killing = Giết người
q-reprisal_types-opt-raid_search = Đột kích hoặc khám xét
q-reprisal_types-opt-confiscation_damage = Tịch thu hoặc làm hư hại tài sản
q-reprisal_types-opt-ngo_deregistration = Thu hồi đăng ký của một tổ chức
q-reprisal_types-opt-office_closure = Đóng cửa văn phòng
q-reprisal_types-opt-restrictive_legislation = Luật hạn chế
q-reprisal_types-opt-fines_asset_freeze = Phạt tiền hoặc phong tỏa tài sản
q-reprisal_types-opt-dismissal_disbarment = Sa thải hoặc tước quyền hành nghề luật sư
q-reprisal_types-opt-deportation_exile = Trục xuất hoặc buộc phải lưu vong
q-reprisal_types-opt-deterred_from_cooperating = Bị ngăn cản hợp tác với Liên Hợp Quốc
q-reprisal_types-opt-other = Khác

q-un_engagement = Việc này có xảy ra sau khi liên hệ với Liên Hợp Quốc không? Với bộ phận nào?
q-un_engagement-help = Chọn tất cả các mục phù hợp.
q-un_engagement-opt-hrc_session = Phiên họp của Hội đồng Nhân quyền
q-un_engagement-opt-upr = Cơ chế Rà soát Định kỳ Phổ quát
q-un_engagement-opt-special_procedures = Các Báo cáo viên Đặc biệt hoặc các Thủ tục Đặc biệt khác
q-un_engagement-opt-treaty_body = Một cơ quan công ước
q-un_engagement-opt-ohchr_presence = Một văn phòng nhân quyền của Liên Hợp Quốc
q-un_engagement-opt-un_country_team = Nhóm Liên Hợp Quốc tại quốc gia
q-un_engagement-opt-peace_operation = Một phái bộ hòa bình của Liên Hợp Quốc
q-un_engagement-opt-commission_of_inquiry = Một ủy ban điều tra
q-un_engagement-opt-security_council = Hội đồng Bảo an
q-un_engagement-opt-other_un_body = Một cơ quan khác của Liên Hợp Quốc
q-un_engagement-opt-none = Không có

q-un_engagement_detail = Chi tiết về việc liên hệ với Liên Hợp Quốc (không bắt buộc)
q-un_engagement_detail-help = Ví dụ: phiên họp, nhiệm vụ (mandate) hoặc số tham chiếu.

q-perpetrator_types = Ai là người chịu trách nhiệm?
q-perpetrator_types-help = Chọn tất cả các mục phù hợp.
q-perpetrator_types-opt-police = Công an, cảnh sát
q-perpetrator_types-opt-military = Quân đội
q-perpetrator_types-opt-intelligence = Cơ quan tình báo, an ninh
q-perpetrator_types-opt-judiciary = Tòa án hoặc viện kiểm sát
q-perpetrator_types-opt-local_officials = Quan chức địa phương
q-perpetrator_types-opt-national_officials = Quan chức trung ương
q-perpetrator_types-opt-pro_government_group = Nhóm ủng hộ chính quyền
q-perpetrator_types-opt-armed_group = Nhóm vũ trang
q-perpetrator_types-opt-private_individual = Cá nhân
q-perpetrator_types-opt-corporation = Công ty
q-perpetrator_types-opt-media = Truyền thông
q-perpetrator_types-opt-unknown = Không rõ

q-narrative = Chuyện gì đã xảy ra? Hãy kể bằng lời của bạn.
q-narrative-help = Bạn có thể viết bằng bất kỳ ngôn ngữ nào. Chỉ viết những gì bạn thấy thoải mái khi chia sẻ.

q-current_risk = Tình hình hiện nay thế nào?
q-current_risk-help = Chọn tất cả các mục phù hợp.
q-current_risk-opt-detained = Có người đang bị giam giữ
q-current_risk-opt-whereabouts_unknown = Có người không rõ tung tích
q-current_risk-opt-family_at_risk = Người nhà đang gặp nguy hiểm
q-current_risk-opt-devices_compromised = Điện thoại hoặc máy tính có thể đã bị xâm nhập
q-current_risk-opt-travel_blocked = Bị ngăn cấm đi lại
q-current_risk-opt-court_date_pending = Sắp có phiên tòa
q-current_risk-opt-none = Không có điều nào ở trên

q-help_needed = Sự hỗ trợ nào sẽ hữu ích?
q-help_needed-help = Chọn tất cả các mục phù hợp.
q-help_needed-opt-legal = Hỗ trợ pháp lý
q-help_needed-opt-digital_security = An ninh kỹ thuật số
q-help_needed-opt-medical = Hỗ trợ y tế
q-help_needed-opt-relocation = Chuyển đến nơi an toàn
q-help_needed-opt-advocacy = Vận động
q-help_needed-opt-raise_with_un = Nêu vấn đề với Liên Hợp Quốc
q-help_needed-opt-none = Không cần

q-prior_reporting = Bạn đã báo cáo việc này ở nơi khác chưa?
q-prior_reporting-help = Chọn tất cả các mục phù hợp.
q-prior_reporting-opt-un = Liên Hợp Quốc
q-prior_reporting-opt-national_authority = Một cơ quan chức năng trong nước
q-prior_reporting-opt-nhri = Một cơ quan nhân quyền quốc gia
q-prior_reporting-opt-ngo = Một tổ chức phi chính phủ
q-prior_reporting-opt-media = Báo chí, truyền thông
q-prior_reporting-opt-none = Không báo cáo ở nơi nào khác

q-attachments = Tệp đính kèm (không bắt buộc)

q-identity_name = Tên của bạn (không bắt buộc)
q-identity_contact_channel = Chúng tôi có thể liên lạc với bạn bằng cách nào? (không bắt buộc)
q-identity_contact_channel-opt-email = Email
q-identity_contact_channel-opt-signal = Signal
q-identity_contact_channel-opt-whatsapp = WhatsApp
q-identity_contact_channel-opt-telegram = Telegram
q-identity_contact_channel-opt-phone = Điện thoại
q-identity_contact_channel-opt-other = Khác
q-identity_contact = Thông tin liên lạc của bạn (không bắt buộc)
q-identity_contact-help = Chỉ cung cấp cách liên lạc an toàn đối với bạn.

q-consent_informed_of_risks = Tôi hiểu rằng mọi hành động liên quan đến trường hợp của tôi, dù thận trọng, đều có một mức độ rủi ro nhất định.
q-consent_share_ohchr = Trường hợp của tôi có thể được chuyển đến nhóm của Liên Hợp Quốc phụ trách vấn đề trả thù.
q-consent_raise_with_state = Trường hợp của tôi có thể được nêu với chính phủ liên quan.
q-consent_sg_report = Trường hợp của tôi có thể được nêu trong báo cáo công khai của Tổng Thư ký Liên Hợp Quốc về hành vi trả thù không?
q-consent_sg_report-opt-named = Có, nêu tên
q-consent_sg_report-opt-anonymous = Có, nhưng không nêu tên
q-consent_sg_report-opt-no = Không
q-consent_share_protection_orgs = Trường hợp của tôi có thể được chia sẻ với các tổ chức bảo vệ người bảo vệ nhân quyền.
q-consent_contact_back = Người xem xét có thể trả lời tôi qua trang web này.
q-consent_share_identity_un = Tên và cách liên lạc của tôi có thể được cung cấp cho Liên Hợp Quốc.

opt-yes = Có
opt-no = Không
q-attachments-help = Bạn có thể đính kèm tài liệu, ảnh, âm thanh hoặc video. Trước khi lưu, chúng tôi xóa những thông tin bên trong tệp có thể nhận dạng bạn: vị trí, máy ảnh, tác giả.
