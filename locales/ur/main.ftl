# Pages of the source interface. English is the source of truth.
# Keep sentences short and plain: readers may be frightened, tired, or
# reading in their second language.

site-name = Amanat
skip-to-content = اصل مواد پر جائیں
language-menu = زبان

## Home page
index-title = انتقامی کارروائی کی محفوظ طریقے سے اطلاع دیں
index-intro = اس سروس کے ذریعے آپ ان دھمکیوں، حملوں یا دیگر انتقامی کارروائیوں کی اطلاع دے سکتے ہیں جو انسانی حقوق کے کام کی وجہ سے، بشمول اقوام متحدہ سے رابطے کی وجہ سے، آپ کے یا دوسروں کے خلاف کی گئیں۔
index-encrypted = آپ جو کچھ بھیجتے ہیں وہ فوراً انکرپٹ ہو جاتا ہے (خفیہ کوڈ میں بدل دیا جاتا ہے)۔ اسے صرف قابلِ اعتماد جائزہ کاروں کی ایک چھوٹی ٹیم پڑھ سکتی ہے۔ ہم آپ کا پتا یا آپ کا آلہ ریکارڈ نہیں کرتے۔
index-safety-title = محفوظ رہیں
index-safety-tor = Tor Browser استعمال کریں، اور اس کا سکیورٹی لیول “Safest” پر رکھیں۔ یہ ویب سائٹ JavaScript کے بغیر پوری طرح کام کرتی ہے۔
index-safety-device = اگر کوئی آپ کا فون یا کمپیوٹر چیک کر سکتا ہے، تو ایسا آلہ استعمال کریں جس تک اس کی رسائی نہ ہو، اور کام ختم ہونے پر براؤزر بند کر دیں۔
index-safety-names = آپ کو اپنا نام بتانا ضروری نہیں۔ یہ فیصلہ آپ اگلے صفحے پر کریں گے۔
index-start = رپورٹ شروع کریں
index-followup = میں پہلے ہی رپورٹ بھیج چکا/چکی ہوں

## Step 1: anonymity
report-title = آپ کی رپورٹ
report-step1-intro = پہلے یہ منتخب کریں کہ ہم آپ کی شناخت کے ساتھ کیا برتاؤ کریں۔ آپ ہر انتخاب آرام سے پڑھ سکتے ہیں۔
report-continue = جاری رکھیں
report-change-anonymity = یہ انتخاب تبدیل کریں
report-chosen-anonymity = آپ کا انتخاب: { $choice }

## The form
report-intro = جن سوالات پر “لازمی” لکھا ہے ان کا جواب دینا ضروری ہے۔ باقی سب اختیاری ہے۔
report-required = لازمی
report-section-report = جو کچھ ہوا اس کے بارے میں
report-section-identity = آپ کے بارے میں
report-section-identity-help = سب کچھ اختیاری ہے۔ اسے صرف وہ جائزہ کار پڑھ سکتے ہیں جنہیں شناخت دیکھنے کی اجازت ہے۔
report-section-consent = ہم آپ کی رپورٹ کے ساتھ کیا کر سکتے ہیں؟
report-section-consent-help = ہر جواب الگ ہے۔ اگر آپ کچھ نہ کہیں تو جواب “نہیں” سمجھا جائے گا۔ آپ بعد میں اپنی رائے بدل سکتے ہیں۔
report-select-placeholder = ایک منتخب کریں
report-month-unknown = مہینہ معلوم نہیں
report-day-unknown = دن معلوم نہیں
report-warning = احتیاط کریں
report-submit = رپورٹ محفوظ طریقے سے بھیجیں
report-submit-help = آپ کی رپورٹ محفوظ کرنے سے پہلے انکرپٹ کی جاتی ہے۔
report-errors-title = { $count ->
    [one] براہ کرم ایک جواب دوبارہ دیکھیں
   *[other] براہ کرم { $count } جوابات دوبارہ دیکھیں
}
report-errors-intro = ابھی کچھ نہیں بھیجا گیا۔ آپ کے جوابات نیچے محفوظ ہیں۔

## Field errors
error-required = اس سوال کا جواب ضروری ہے۔
error-invalid-choice = براہ کرم دکھائے گئے اختیارات میں سے ایک منتخب کریں۔
error-too-long = یہ جواب بہت لمبا ہے: زیادہ سے زیادہ { $max } حروف۔
error-invalid-year = براہ کرم { $min } اور { $max } کے درمیان کوئی سال لکھیں۔
error-invalid-date = یہ تاریخ موجود نہیں۔ براہ کرم دن اور مہینہ دوبارہ دیکھیں۔
error-day-without-month = براہ کرم دن کے ساتھ مہینہ بھی لکھیں۔
error-identity-anonymous = آپ نے گمنام رہنے کا انتخاب کیا ہے، اس لیے ہم نام یا رابطہ قبول نہیں کر سکتے۔ کچھ بھی محفوظ نہیں کیا گیا۔
error-not-allowed = یہ جواب صرف اس صورت میں ممکن ہے جب آپ اپنی شناخت کے بارے میں کوئی دوسرا انتخاب کریں۔
error-control-chars = اس جواب میں ایسے حروف ہیں جو محفوظ نہیں کیے جا سکتے۔ براہ کرم انہیں ہٹا دیں۔

## Confirmation
confirm-title = آپ کی رپورٹ موصول ہو گئی
confirm-body = آپ کی رپورٹ انکرپٹ کر کے محفوظ کر لی گئی ہے۔ ایک جائزہ کار اسے پڑھے گا۔
confirm-next = کام ختم ہونے پر یہ براؤزر ونڈو بند کر دیں۔ اگر کوئی یہ آلہ چیک کر سکتا ہے، تو براؤزنگ ہسٹری صاف کر دیں۔

## Error pages
error-title = کچھ غلط ہو گیا
error-back = شروع پر واپس جائیں
error-bad-request = فارم پڑھا نہیں جا سکا: { $detail }۔ کچھ بھی محفوظ نہیں کیا گیا۔ براہ کرم واپس جا کر دوبارہ کوشش کریں۔
error-bad-request-detail-encoding = متن پڑھنے کے قابل شکل میں نہیں تھا
error-bad-request-detail-form = فارم کا ڈیٹا نامکمل یا خراب تھا
error-bad-request-detail-fields = فارم میں غیر متوقع یا دہرائے گئے خانے تھے
error-csrf = اس فارم کی مدت ختم ہو گئی ہے یا یہ اس ویب سائٹ سے نہیں بھیجا گیا۔ کچھ بھی محفوظ نہیں کیا گیا۔ براہ کرم فارم دوبارہ کھولیں۔ معذرت، آپ کے جوابات محفوظ نہیں رہے۔
error-not-found = یہ صفحہ موجود نہیں۔
error-too-large = آپ نے جو بھیجا وہ بہت بڑا ہے (حد { $limit } ہے)۔ کچھ بھی محفوظ نہیں کیا گیا۔ براہ کرم اپنا متن مختصر کر کے دوبارہ کوشش کریں۔
error-too-many = اس وقت بہت زیادہ لوگ یہ سروس استعمال کر رہے ہیں۔ کچھ بھی محفوظ نہیں کیا گیا۔ براہ کرم ایک منٹ بعد دوبارہ کوشش کریں۔
error-busy = سرور مصروف ہے۔ کچھ بھی محفوظ نہیں کیا گیا۔ براہ کرم ایک منٹ بعد دوبارہ کوشش کریں۔
error-no-reviewers = یہ سروس ابھی رپورٹیں وصول نہیں کر سکتی، کیونکہ انہیں پڑھنے کے لیے ابھی کوئی جائزہ کار مقرر نہیں کیا گیا۔ کچھ بھی محفوظ نہیں کیا گیا۔ براہ کرم بعد میں دوبارہ کوشش کریں۔
error-internal = سرور میں کوئی مسئلہ پیش آیا اور کچھ بھی محفوظ نہیں کیا گیا۔ براہ کرم بعد میں دوبارہ کوشش کریں۔
error-method = یہ پتا اس قسم کی درخواست قبول نہیں کرتا۔
error-identity-unavailable = ابھی کوئی جائزہ کار نام اور رابطے کی تفصیل نہیں پڑھ سکتا، اس لیے ہم انہیں قبول نہیں کر سکتے۔ براہ کرم اس خانے کو خالی چھوڑ دیں۔ کچھ بھی محفوظ نہیں کیا گیا۔

## Codename (confirmation page)
codename-title = آپ کا کوڈ نام
codename-intro = یہ کوڈ نام واپس آنے، جوابات پڑھنے اور مزید معلومات شامل کرنے کا واحد طریقہ ہے۔ یہ صرف ایک بار دکھایا جاتا ہے۔
codename-advice-write = اسے کاغذ پر لکھ لیں یا زبانی یاد کر لیں۔ اسے ہر اس شخص سے دور رکھیں جو آپ کی تلاشی لے سکتا ہو۔
codename-advice-device = اسے کسی ایسے فون یا کمپیوٹر میں محفوظ نہ کریں جو آپ سے لیا جا سکتا ہو۔
codename-advice-lost = کوئی بھی اسے واپس حاصل نہیں کر سکتا، ہم بھی نہیں۔ اگر یہ کھو جائے تو آپ نئی رپورٹ بھیج سکتے ہیں۔
codename-followup = بعد میں واپس آنے کے لیے پہلے صفحے پر “میں پہلے ہی رپورٹ بھیج چکا/چکی ہوں” منتخب کریں۔

## Follow-up
followup-title = اپنی رپورٹ پر واپس آئیں
followup-intro = جوابات پڑھنے اور مزید معلومات شامل کرنے کے لیے اپنا کوڈ نام لکھیں۔
followup-codename-label = آپ کا کوڈ نام
followup-codename-help = وہ الفاظ جو آپ کو دیے گئے تھے، انگریزی حروف میں، ہر لفظ کے درمیان خالی جگہ کے ساتھ۔ بڑے یا چھوٹے حروف سے فرق نہیں پڑتا۔
followup-login = میری رپورٹ کھولیں
followup-check-words = ان الفاظ سے کوئی رپورٹ نہیں کھل سکی۔ براہ کرم الفاظ اور ان کی ترتیب دوبارہ دیکھیں، پھر دوبارہ کوشش کریں۔
followup-session-ended = آپ کی حفاظت کے لیے آپ کا سیشن ختم کر دیا گیا ہے۔ براہ کرم اپنا کوڈ نام دوبارہ لکھیں۔
followup-busy = سرور مصروف ہے۔ براہ کرم ایک منٹ بعد دوبارہ کوشش کریں۔
followup-status-title = صورتِ حال
followup-status-received = موصول ہو گئی۔ ایک جائزہ کار اسے پڑھے گا۔
followup-status-in_review = جائزہ لیا جا رہا ہے۔
followup-status-closed = بند کر دی گئی۔
followup-replies-title = جوابات
followup-no-replies = ابھی کوئی جواب نہیں آیا۔ براہ کرم بعد میں دوبارہ آئیں۔
followup-reply-from = جواب موصول ہوا: { $day }
followup-delete-reply = یہ جواب مٹا دیں
followup-deleted = جواب مٹا دیا گیا۔
followup-message-title = مزید معلومات شامل کریں
followup-message-help = آپ کا پیغام انکرپٹ کر کے آپ کی رپورٹ میں شامل کر دیا جاتا ہے۔ آپ اسے یہاں دوبارہ نہیں پڑھ سکیں گے۔
followup-message-send = محفوظ طریقے سے بھیجیں
followup-message-sent = آپ کا پیغام موصول ہو گیا۔
followup-message-empty = براہ کرم پہلے کوئی پیغام لکھیں۔
followup-message-too-long = یہ پیغام بہت لمبا ہے: زیادہ سے زیادہ { $max } حروف۔
followup-logout = رپورٹ سے باہر نکلیں
followup-logged-out = اس آلے پر آپ کی رپورٹ بند کر دی گئی ہے۔ براؤزر ونڈو بھی بند کر دیں۔

## Attachments
attachments-keep-label = اصل میٹا ڈیٹا برقرار رکھیں۔ اس سے فائل کا اصلی ہونا ثابت کرنے میں مدد مل سکتی ہے، لیکن اس سے آپ کی شناخت بھی ہو سکتی ہے۔
attachments-limits = زیادہ سے زیادہ { $count } فائلیں، ہر ایک { $size } تک۔
files-choose-again = آپ کی فائلیں محفوظ نہیں رہیں: براہ کرم بھیجنے سے پہلے انہیں دوبارہ منتخب کریں۔
confirm-files-title = آپ کی فائلیں
file-result-cleaned = ہٹا دیا گیا: { $removed }۔
file-result-nothing-found = شناخت ظاہر کرنے والی کوئی چیز نہیں ملی۔
file-result-not-cleanable = اس قسم کی فائل صاف نہیں کی جا سکتی؛ اسے ویسے ہی محفوظ کیا گیا جیسے بھیجا گیا تھا۔
file-result-kept-original = آپ کی درخواست کے مطابق، اسے ویسے ہی محفوظ کیا گیا جیسے بھیجا گیا تھا۔
removed-location = مقام
removed-camera = کیمرا
removed-author = مصنف
removed-software = سافٹ ویئر
removed-dates = تاریخیں
removed-comments = تبصرے
removed-thumbnail = پیش منظر تصویر
removed-identifiers = دستاویز کے شناخت کنندہ
removed-other = دیگر تفصیلات
error-too-many-files = فائلیں بہت زیادہ ہیں: آپ زیادہ سے زیادہ { $limit } بھیج سکتے ہیں۔ کچھ بھی محفوظ نہیں کیا گیا۔
error-file-too-large = فائل { $name } بہت بڑی ہے (حد { $limit } ہے)۔ کچھ بھی محفوظ نہیں کیا گیا۔
error-submission-too-large = تمام فائلیں مل کر بہت بڑی ہیں (حد { $limit } ہے)۔ کچھ بھی محفوظ نہیں کیا گیا۔
error-file-cannot-clean = ہم { $name } سے شناخت ظاہر کرنے والی تفصیلات نہیں ہٹا سکے: ہو سکتا ہے فائل خراب ہو۔ کچھ بھی محفوظ نہیں کیا گیا۔ آپ “اصل میٹا ڈیٹا برقرار رکھیں” پر نشان لگا کر اسے دوبارہ بھیج سکتے ہیں، یا اسے شامل نہ کریں۔
error-file-too-large-to-clean = فائل { $name } اتنی بڑی ہے کہ ہم اسے صاف نہیں کر سکتے (اس قسم کی حد { $limit } ہے)۔ کچھ بھی محفوظ نہیں کیا گیا۔ آپ “اصل میٹا ڈیٹا برقرار رکھیں” پر نشان لگا کر اسے دوبارہ بھیج سکتے ہیں، یا اسے شامل نہ کریں۔
followup-withdraw-title = رضامندی واپس لینا
followup-withdraw-help = جن باتوں سے آپ اب متفق نہیں، ان پر نشان لگائیں۔ جائزہ کار اب سے اس کا احترام کریں گے۔
followup-withdraw-submit = اپنی رضامندی واپس لیں
followup-withdraw-done = رضامندی واپس لینے کا آپ کا فیصلہ درج کر لیا گیا۔
followup-withdraw-none = براہ کرم واپس لینے کے لیے کم از کم ایک چیز پر نشان لگائیں۔
