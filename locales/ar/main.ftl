# Pages of the source interface. English is the source of truth.
# Keep sentences short and plain: readers may be frightened, tired, or
# reading in their second language.

site-name = Amanat
skip-to-content = الانتقال إلى المحتوى الرئيسي
language-menu = اللغة

## Home page
index-title = الإبلاغ عن عمل انتقامي بأمان
index-intro = تتيح لكم هذه الخدمة الإبلاغ عن التهديدات أو الاعتداءات أو غيرها من الأعمال الانتقامية التي تستهدفكم أو تستهدف غيركم بسبب العمل في مجال حقوق الإنسان، ومن ذلك التواصل مع الأمم المتحدة.
index-encrypted = كل ما ترسلونه يُشفَّر فورًا. لا يستطيع قراءته إلا فريق صغير من المراجعين الموثوقين. لا نسجّل عنوانكم ولا جهازكم.
index-safety-title = حافظوا على سلامتكم
index-safety-tor = استخدموا متصفح Tor Browser، واضبطوا مستوى الأمان فيه على «الأكثر أمانًا». يعمل هذا الموقع بالكامل دون JavaScript.
index-safety-device = إذا كان أحد قد يفتّش هاتفكم أو حاسوبكم، فاستخدموا جهازًا لا يستطيع الوصول إليه، وأغلقوا المتصفح عند الانتهاء.
index-safety-names = لستم ملزمين بذكر اسمكم. تختارون ذلك في الصفحة التالية.
index-start = تقديم بلاغ
index-followup = سبق أن أرسلت بلاغًا

## Step 1: anonymity
report-title = بلاغكم
report-step1-intro = أولًا، اختاروا كيف نتعامل مع هويتكم. يمكنكم قراءة كل خيار على مهل.
report-continue = متابعة
report-change-anonymity = تغيير هذا الاختيار
report-chosen-anonymity = اختياركم: { $choice }

## The form
report-intro = الأسئلة التي تحمل كلمة «مطلوب» تحتاج إلى إجابة. كل ما عداها اختياري.
report-required = مطلوب
report-section-report = عمّا حدث
report-section-identity = عنكم
report-section-identity-help = كل ما هنا اختياري. لا يقرؤه إلا المراجعون المأذون لهم بالاطلاع على الهويات.
report-section-consent = ماذا يجوز لنا أن نفعل ببلاغكم؟
report-section-consent-help = كل إجابة مستقلة عن غيرها. إذا لم تجيبوا، فالإجابة هي «لا». يمكنكم تغيير رأيكم لاحقًا.
report-select-placeholder = اختاروا خيارًا واحدًا
report-month-unknown = الشهر غير معروف
report-day-unknown = اليوم غير معروف
report-warning = انتبهوا
report-submit = إرسال البلاغ بأمان
report-submit-help = يُشفَّر بلاغكم قبل حفظه.
report-errors-title = { $count ->
    [zero] يُرجى مراجعة إجاباتكم
    [one] يُرجى مراجعة إجابة واحدة
    [two] يُرجى مراجعة إجابتين
    [few] يُرجى مراجعة { $count } إجابات
    [many] يُرجى مراجعة { $count } إجابة
   *[other] يُرجى مراجعة { $count } إجابة
}
report-errors-intro = لم يُرسَل أي شيء بعد. إجاباتكم محفوظة أدناه.

## Field errors
error-required = هذا السؤال يحتاج إلى إجابة.
error-invalid-choice = يُرجى اختيار أحد الخيارات المعروضة.
error-too-long = هذه الإجابة طويلة جدًا. الحد الأقصى لعدد الحروف: { $max }.
error-invalid-year = يُرجى إدخال سنة بين { $min } و{ $max }.
error-invalid-date = هذا التاريخ غير موجود. يُرجى التحقق من اليوم والشهر.
error-day-without-month = يُرجى إدخال الشهر إلى جانب اليوم.
error-identity-anonymous = اخترتم عدم الكشف عن هويتكم، لذلك لا يمكننا قبول اسم أو وسيلة اتصال. لم يُحفَظ أي شيء.
error-not-allowed = هذه الإجابة ممكنة فقط إذا اخترتم خيارًا آخر بشأن هويتكم.
error-control-chars = تحتوي هذه الإجابة على رموز لا يمكن حفظها. يُرجى حذفها.

## Confirmation
confirm-title = وصلنا بلاغكم
confirm-body = بلاغكم مشفَّر ومحفوظ. سيقرؤه أحد المراجعين.
confirm-next = أغلقوا نافذة المتصفح هذه عند الانتهاء. إذا كان أحد قد يفتّش هذا الجهاز، فامسحوا سجل التصفح.

## Error pages
error-title = حدث خطأ ما
error-back = العودة إلى البداية
error-bad-request = تعذّرت قراءة الاستمارة: { $detail }. لم يُحفَظ أي شيء. يُرجى العودة والمحاولة مرة أخرى.
error-bad-request-detail-encoding = النص لم يكن بصيغة قابلة للقراءة
error-bad-request-detail-form = بيانات الاستمارة ناقصة أو غير سليمة
error-bad-request-detail-fields = الاستمارة تحتوي على حقول غير متوقعة أو مكررة
error-csrf = انتهت صلاحية هذه الاستمارة أو لم تُرسَل من هذا الموقع. لم يُحفَظ أي شيء. يُرجى فتح الاستمارة من جديد. نأسف، فإجاباتكم لم تُحفَظ.
error-not-found = هذه الصفحة غير موجودة.
error-too-large = ما أرسلتموه كبير جدًا (الحد الأقصى { $limit }). لم يُحفَظ أي شيء. يُرجى اختصار النص والمحاولة مرة أخرى.
error-too-many = عدد كبير جدًا من الأشخاص يستخدمون هذه الخدمة الآن. لم يُحفَظ أي شيء. يُرجى المحاولة مرة أخرى بعد دقيقة.
error-busy = الخادم مشغول. لم يُحفَظ أي شيء. يُرجى المحاولة مرة أخرى بعد دقيقة.
error-stalled = توقف وصول ما أرسلته قبل أن يكتمل، لذلك لم يُحفَظ أي شيء. يُرجى التحقق من اتصالك والمحاولة مرة أخرى.
error-no-reviewers = لا تستطيع هذه الخدمة قبول البلاغات بعد، لأنه لم يُعيَّن أي مراجع لقراءتها. لم يُحفَظ أي شيء. يُرجى المحاولة لاحقًا.
error-internal = واجه الخادم مشكلة ولم يُحفَظ أي شيء. يُرجى المحاولة لاحقًا.
error-method = هذا العنوان لا يقبل هذا النوع من الطلبات.
error-identity-unavailable = لا يوجد بعد أي مراجع يمكنه قراءة الأسماء ووسائل الاتصال، لذلك لا يمكننا قبولها. يُرجى ترك هذه الخانة فارغة. لم يُحفَظ أي شيء.

## Codename (confirmation page)
codename-title = اسمكم الرمزي
codename-intro = هذا الاسم الرمزي هو الطريقة الوحيدة للعودة وقراءة الردود وإضافة معلومات. لن يُعرَض إلا مرة واحدة.
codename-advice-write = اكتبوه على ورقة أو احفظوه عن ظهر قلب. أبقوه بعيدًا عن أي شخص قد يفتّشكم.
codename-advice-device = لا تحفظوه على هاتف أو حاسوب قد يُؤخَذ منكم.
codename-advice-lost = لا يستطيع أحد استعادته، ولا حتى نحن. إذا فقدتموه، يمكنكم إرسال بلاغ جديد.
codename-followup = للعودة لاحقًا، اختاروا «سبق أن أرسلت بلاغًا» في الصفحة الأولى.

## Follow-up
followup-title = العودة إلى بلاغكم
followup-intro = أدخلوا اسمكم الرمزي لقراءة الردود وإضافة معلومات.
followup-codename-label = اسمكم الرمزي
followup-codename-help = الكلمات التي أُعطيت لكم بالحروف اللاتينية، تفصل بينها مسافات. لا فرق بين الحروف الكبيرة والصغيرة.
followup-login = فتح بلاغي
followup-check-words = لم نتمكن من فتح بلاغ بهذه الكلمات. يُرجى التحقق من الكلمات وترتيبها، ثم المحاولة مرة أخرى.
followup-session-ended = انتهت جلستكم حفاظًا على سلامتكم. يُرجى إدخال اسمكم الرمزي مرة أخرى.
followup-busy = الخادم مشغول. يُرجى المحاولة مرة أخرى بعد دقيقة.
followup-status-title = الحالة
followup-status-received = وصل البلاغ. سيقرؤه أحد المراجعين.
followup-status-in_review = قيد المراجعة.
followup-status-closed = أُغلِق البلاغ.
followup-replies-title = الردود
followup-no-replies = لا توجد ردود بعد. يُرجى العودة لاحقًا.
followup-reply-from = ردّ وصل في { $day }
followup-delete-reply = حذف هذا الرد
followup-deleted = حُذِف الرد.
followup-message-title = إضافة معلومات
followup-message-help = تُشفَّر رسالتكم وتُضاف إلى بلاغكم. لن تتمكنوا من قراءتها مرة أخرى هنا.
followup-message-send = إرسال بأمان
followup-message-sent = وصلتنا رسالتكم.
followup-message-empty = يُرجى كتابة رسالة أولًا.
followup-message-too-long = هذه الرسالة طويلة جدًا. الحد الأقصى لعدد الحروف: { $max }.
followup-logout = الخروج من صفحة بلاغي
followup-logged-out = أُغلِقت صفحة بلاغكم على هذا الجهاز. أغلقوا نافذة المتصفح أيضًا.

## Attachments
attachments-keep-label = الإبقاء على البيانات الوصفية الأصلية. قد يساعد ذلك على إثبات أن الملف أصلي، لكنه قد يكشف هويتكم أيضًا.
attachments-limits = الحد الأقصى لعدد الملفات: { $count }. الحد الأقصى لحجم كل ملف: { $size }.
files-choose-again = لم نحتفظ بملفاتكم: يُرجى اختيارها مرة أخرى قبل الإرسال.
confirm-files-title = ملفاتكم
file-result-cleaned = تمت إزالة: { $removed }.
file-result-nothing-found = لم يُعثَر على أي شيء يكشف الهوية.
file-result-not-cleanable = لا يمكن تنظيف هذا النوع من الملفات، لذلك حُفِظ كما أُرسِل.
file-result-kept-original = حُفِظ كما أُرسِل، بناءً على طلبكم.
removed-location = الموقع
removed-camera = الكاميرا
removed-author = المؤلف
removed-software = البرنامج
removed-dates = التواريخ
removed-comments = التعليقات
removed-thumbnail = صورة المعاينة
removed-identifiers = معرِّفات المستند
removed-other = تفاصيل أخرى
error-too-many-files = عدد الملفات كبير جدًا: الحد الأقصى { $limit }. لم يُحفَظ أي شيء.
error-file-too-large = الملف { $name } كبير جدًا (الحد الأقصى { $limit }). لم يُحفَظ أي شيء.
error-submission-too-large = حجم الملفات معًا كبير جدًا (الحد الأقصى { $limit }). لم يُحفَظ أي شيء.
error-file-cannot-clean = لم نتمكن من إزالة التفاصيل التي قد تكشف هويتكم من { $name }: ربما يكون الملف تالفًا. لم يُحفَظ أي شيء. يمكنكم إرساله مرة أخرى بعد تحديد «الإبقاء على البيانات الوصفية الأصلية»، أو عدم إرفاقه.
error-file-too-large-to-clean = الملف { $name } أكبر من أن نتمكن من تنظيفه (الحد الأقصى لهذا النوع { $limit }). لم يُحفَظ أي شيء. يمكنكم إرساله مرة أخرى بعد تحديد «الإبقاء على البيانات الوصفية الأصلية»، أو عدم إرفاقه.
error-files-not-cleanable = لم نتمكن من إزالة التفاصيل التي قد تكشف هويتكم من: { $names }. لم يُحفَظ أي شيء. اختاروا أدناه لكل ملف من هذه الملفات إرساله كما هو أو عدم إرفاقه.
files-refused-title = ملفات لم نتمكن من تنظيفها
file-refused-type = لا يمكن إزالة التفاصيل التي قد تكشف هويتكم (مثل اسم المؤلف أو الجهاز أو المكان) من هذا النوع من الملفات.
file-refused-damaged = يبدو أن هذا الملف تالف، لذلك لم نتمكن من إزالة التفاصيل التي قد تكشف هويتكم منه.
files-refused-choices = لإرسال مثل هذا الملف كما هو، بكل ما قد يحتويه عنكم، اختاروه مرة أخرى في الحقل أدناه. ولعدم إرفاقه، لا تختاروه مرة أخرى.
attachments-as-is-label = الإرسال كما هو (مع الإبقاء على البيانات الوصفية الأصلية)
attachments-as-is-help = تُحفَظ الملفات التي تختارونها هنا كما هي تمامًا، بما فيها من أسماء أو تواريخ أو أجهزة أو أماكن. لا تختاروا هنا إلا ملفًا مذكورًا أعلاه تريدون إرساله رغم ذلك.
files-leave-out-help = يرسل هذا الزر كل ما عدا ذلك، من دون الملفات المذكورة أعلاه.
files-leave-out = عدم إرفاقه والإرسال
error-low-space = المساحة المتاحة على قرص الخادم توشك على النفاد، لذلك لم يُحفَظ أي شيء. ما كتبتموه لا يزال هنا: يُرجى المحاولة مرة أخرى لاحقًا.
error-reviewers-changed = تغيّر الأشخاص الذين يقرؤون البلاغات أثناء رفع ملفاتكم، لذلك لم يُحفَظ أي شيء. يُرجى الإرسال مرة أخرى.
followup-withdraw-title = سحب موافقتكم
followup-withdraw-help = حدِّدوا ما لم تعودوا موافقين عليه. سيلتزم المراجعون بذلك من الآن فصاعدًا.
followup-withdraw-submit = سحب موافقتي
followup-withdraw-done = سُجِّل سحب موافقتكم.
followup-withdraw-none = يُرجى تحديد بند واحد على الأقل لسحبه.
